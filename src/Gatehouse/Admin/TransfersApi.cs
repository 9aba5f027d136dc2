using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/transfers: finished and failed transfers from this node's transfer log (xferlog), searched by user, path, time and outcome.</summary>
internal static class TransfersApi
{
    public const int MaxLimit = 1000;

    public static void Map(IEndpointRouteBuilder api)
    {
        var transfers = ApiKeyReach.Mark(api.MapGroup("/transfers").WithTags("Transfers"));
        transfers.MapGet("/", async (string? user, string? path, DateTimeOffset? from, DateTimeOffset? to, string? outcome, int? limit, GatehouseOptions options, IAccountStore accounts, IAccessStore access, HttpContext http) =>
            {
                if (outcome is not (null or "complete" or "incomplete"))
                {
                    return AdminResults.Refused(Accounts.Admin.AdminRefusal.Invalid("outcome", $"'{outcome}' is not an outcome: write complete or incomplete."));
                }

                if (limit is < 1 or > MaxLimit)
                {
                    return AdminResults.Refused(Accounts.Admin.AdminRefusal.Invalid("limit", $"limit must be between 1 and {MaxLimit}."));
                }

                // A key limited to some users sees the transfers of the accounts it reaches now, looked up once each.
                var reach = ApiKeyReach.Of(http);
                var reached = new HashSet<string>(StringComparer.Ordinal);
                if (reach is not null)
                {
                    foreach (var account in await accounts.ListAsync(http.RequestAborted).ConfigureAwait(false))
                    {
                        if (await reach.ReachesAsync(account.Name, access, http.RequestAborted).ConfigureAwait(false))
                        {
                            reached.Add(account.Name);
                        }
                    }
                }

                var found = TransferHistory.Search(
                    new DataPaths(options.DataDirectory).TransferLog,
                    new TransferQuery(user, path, from, to, outcome is null ? null : outcome == "complete", limit ?? 100),
                    reach is null ? null : reached.Contains);
                return AdminResults.Ok(found.Select(record => new TransferRecordView(
                    record.Finished, record.Seconds, record.User, record.Client, record.Path, record.Direction == TransferDirection.Outgoing ? "download" : "upload", record.Bytes,
                    record.Complete ? "complete" : "incomplete")).ToArray());
            })
            .Produces<TransferRecordView[]>()
            .ProducesValidationProblem()
            .WithSummary("Transfers this node finished or abandoned, newest first: ?user=NAME exact, ?path=TEXT part of the path, ?from= and ?to= times (ISO 8601), ?outcome=complete|incomplete, ?limit= (default 100, at most 1000).");
    }
}
