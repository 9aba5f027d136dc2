using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/bans: addresses banned by the brute-force defence, as <c>gatehouse ban list|remove</c> shows and lifts them.</summary>
internal static class BansApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var bans = api.MapGroup("/bans").WithTags("Bans");
        bans.MapGet("/", async (bool? expired, BanAdministration administration, CancellationToken cancellationToken) =>
                TypedResults.Ok((await administration.ListAsync(expired ?? false, cancellationToken).ConfigureAwait(false))
                    .Select(ban => new BanView(ban.Address, ban.BannedUntil, ban.Offences, ban.Reason, ban.LastOffenceAt)).ToArray()))
            .WithSummary("Banned addresses; ?expired=true also lists bans that have run out (they remember the offence count).");
        bans.MapDelete("/{address}", async (string address, BanAdministration administration, HttpContext http) =>
                AdminResults.Done(await administration.LiftAsync(AdminActor.Of(http), address, http.RequestAborted).ConfigureAwait(false)))
            .Change("Lift a ban and forget its offences; a running server lets the address in again within 5 seconds.");
    }
}
