using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin.Web;

/// <summary>/ui/bans and /ui/audit: read-only lists (the newest 200 audit records; <c>gatehouse audit export</c> has them all).</summary>
internal static class RecordPages
{
    private const int AuditPage = 200;

    public static void Map(IEndpointRouteBuilder ui)
    {
        ui.MapGet("/bans", async (HttpContext http, BanAdministration bans) =>
            {
                var rows = Html.Join((await bans.ListAsync(expired: false, http.RequestAborted).ConfigureAwait(false)).Select(ban =>
                    Html.Of($"<tr><td>{ban.Address}</td><td>{WebPage.Time(ban.BannedUntil)}</td><td class=\"number\">{ban.Offences}</td><td>{ban.Reason}</td></tr>")));
                return WebPage.Render(http, "Bans", Html.Of($"""
                    <p>Addresses banned by the brute-force defence; <code>gatehouse ban remove ADDRESS</code> lifts one.</p>
                    <div class="scroll"><table><thead><tr><th scope="col">Address</th><th scope="col">Until</th><th scope="col">Offences</th><th scope="col">Reason</th></tr></thead><tbody>{rows}</tbody></table></div>
                    """));
            })
            .RequireAuthorization(WebAuthentication.Read);
        ui.MapGet("/audit", async (HttpContext http, AuditTrail audit) =>
            {
                var rows = Html.Join((await audit.ReadLatestAsync(AuditPage, http.RequestAborted).ConfigureAwait(false)).Select(entry => Html.Of($"""
                    <tr><td class="number">{entry.Sequence}</td><td>{WebPage.Time(entry.At)}</td><td>{entry.Actor}</td><td>{entry.Origin}</td><td>{entry.Action}</td><td>{entry.Target}</td><td>{entry.Before ?? ""}</td><td>{entry.After ?? ""}</td></tr>
                    """)));
                return WebPage.Render(http, "Audit log", Html.Of($"""
                    <p>The newest {AuditPage} records, newest first. <code>gatehouse audit verify</code> checks the hash chain; <code>gatehouse audit export</code> writes them all.</p>
                    <div class="scroll"><table id="audit"><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">From</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Before</th><th scope="col">After</th></tr></thead><tbody>{rows}</tbody></table></div>
                    """));
            })
            .RequireAuthorization(WebAuthentication.Read);
    }
}
