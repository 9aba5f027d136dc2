using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin.Web;

/// <summary>
/// /ui/: sessions and running transfers (refreshed every 2 seconds by admin.js from /ui/live, no reload), bans,
/// today's volume up and down (this node's transfer log) and failed FTP logins (the audit trail, every node), refused
/// admin logins of the last day, and the nodes of the cluster.
/// </summary>
internal static class DashboardPage
{
    public static void Map(IEndpointRouteBuilder ui)
    {
        ui.MapGet("/", async (HttpContext http, LiveSessions live, BanAdministration bans, AuditTrail audit, TimeProvider time, GatehouseOptions options) =>
            {
                var now = time.GetUtcNow();
                var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
                var banned = await bans.ListAsync(expired: false, http.RequestAborted).ConfigureAwait(false);
                var refused = await audit.CountAsync(["admin.login.refused"], now.AddDays(-1), http.RequestAborted).ConfigureAwait(false);
                var failedFtp = await audit.CountAsync(["ftp.login.failed", "ftp.login.refused"], today, http.RequestAborted).ConfigureAwait(false);
                var (uploaded, downloaded) = TransferHistory.VolumeSince(new DataPaths(options.DataDirectory).TransferLog, today);
                var cluster = http.RequestServices.GetService<IClusterStore>();
                var members = cluster is null ? [] : await cluster.ReadNodesAsync(http.RequestAborted).ConfigureAwait(false);
                var nodes = cluster is null
                    ? Html.Of($"<p>Single node (no cluster: the account store is SQLite).</p>")
                    : Html.Of($"""
                        <h2>Cluster nodes</h2>
                        <ul>{Html.Join(members.Select(node => Html.Of($"<li>{node.Name}{(node.Id == cluster.NodeId ? " (this node)" : string.Empty)}</li>")))}</ul>
                        """);
                return WebPage.Render(http, "Dashboard", Html.Of($"""
                    <div id="live" data-live="{WebAdmin.Root}/live" aria-live="polite">{Live(live, now)}</div>
                    <h2>Today (since 00:00 UTC)</h2>
                    <dl class="counters" id="today">
                    <div><dt>Uploaded</dt><dd><a href="{WebAdmin.Root}/transfers?from={today.UtcDateTime:yyyy-MM-ddTHH:mm}">{WebPage.Bytes(uploaded)}</a></dd></div>
                    <div><dt>Downloaded</dt><dd><a href="{WebAdmin.Root}/transfers?from={today.UtcDateTime:yyyy-MM-ddTHH:mm}">{WebPage.Bytes(downloaded)}</a></dd></div>
                    <div><dt>Failed FTP logins</dt><dd><a href="{WebAdmin.Root}/audit">{failedFtp}</a></dd></div>
                    </dl>
                    <h2>Security</h2>
                    <dl class="counters">
                    <div><dt>Banned addresses</dt><dd><a href="{WebAdmin.Root}/bans">{banned.Count}</a></dd></div>
                    <div><dt>Refused admin logins, last 24 h</dt><dd><a href="{WebAdmin.Root}/audit">{refused}</a></dd></div>
                    </dl>
                    {nodes}
                    """));
            })
            .RequireAuthorization(WebAuthentication.Read);
        ui.MapGet("/live", (LiveSessions live, TimeProvider time) => Results.Content(Live(live, time.GetUtcNow()).ToString(), "text/html; charset=utf-8"))
            .RequireAuthorization(WebAuthentication.Read);
    }

    private static Html Live(LiveSessions live, DateTimeOffset now)
    {
        var sessions = live.List();
        var transfers = sessions.Where(session => session.Transfer is not null).ToList();
        var rows = Html.Join(transfers.Select(session =>
        {
            var transfer = session.Transfer!;
            var seconds = Math.Max((now - transfer.StartedAt).TotalSeconds, 1);
            return Html.Of($"""
                <tr><td>{session.User ?? "-"}</td><td>{Direction(transfer.Direction)}</td><td class="path">{transfer.Path}</td>
                <td class="number" data-bytes="{transfer.Bytes}">{WebPage.Bytes(transfer.Bytes)}</td><td class="number">{WebPage.Bytes((long)(transfer.Bytes / seconds))}/s</td>
                <td class="number">{(int)seconds} s</td></tr>
                """);
        }));
        return Html.Of($"""
            <dl class="counters">
            <div><dt>Sessions now</dt><dd><a href="{WebAdmin.Root}/sessions">{sessions.Count}</a></dd></div>
            <div><dt>Transfers now</dt><dd>{transfers.Count}</dd></div>
            </dl>
            <h2>Transfers now</h2>
            {(transfers.Count == 0 ? Html.Of($"<p>No transfer is running.</p>") : Html.Of($"""
                <div class="scroll"><table id="transfers">
                <thead><tr><th scope="col">User</th><th scope="col">Direction</th><th scope="col">Path</th><th scope="col">Bytes so far</th><th scope="col">Average rate</th><th scope="col">Running for</th></tr></thead>
                <tbody>{rows}</tbody>
                </table></div>
                """))}
            """);
    }

    public static string Direction(TransferDirection? direction) => direction switch
    {
        TransferDirection.Incoming => "upload",
        TransferDirection.Outgoing => "download",
        _ => "listing",
    };
}
