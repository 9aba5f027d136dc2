using Gatehouse.Accounts.Audit;
using Gatehouse.Protocol.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin.Web;

/// <summary>/ui/sessions: the sessions this node runs, and closing one (kick), audited as the API's kick is.</summary>
internal static class SessionPages
{
    public static void Map(IEndpointRouteBuilder ui)
    {
        ui.MapGet("/sessions", (HttpContext http, LiveSessions live, TimeProvider time) => Page(http, live, time, null))
            .RequireAuthorization(WebAuthentication.Read);
        ui.MapPost("/sessions/{id}/kick", async (string id, HttpContext http, LiveSessions live, AuditTrail audit, TimeProvider time) =>
            {
                var session = live.Find(id);
                var actor = WebAuthentication.Actor(http);
                if (session is null || !await live.KickAsync(id, actor.Who).ConfigureAwait(false))
                {
                    return Page(http, live, time, $"No session '{id}' runs on this node; it may have ended.");
                }

                await audit.RecordAsync(actor, "session.kick", id, $"user={session.User ?? "-"} client={session.Client}", null, http.RequestAborted).ConfigureAwait(false);
                return Page(http, live, time, $"Session {id} of {session.User ?? "(not logged in)"} closed.");
            })
            .RequireAuthorization(WebAuthentication.Write);
    }

    private static IResult Page(HttpContext http, LiveSessions live, TimeProvider time, string? notice)
    {
        var now = time.GetUtcNow();
        var canKick = WebAuthentication.CanChange(http);
        var rows = Html.Join(live.List().Select(session => Html.Of($"""
            <tr><td>{session.User ?? "(not logged in)"}</td><td>{session.Client}</td><td>{(session.Secure ? "TLS" : "plain")}</td><td>{(int)(now - session.StartedAt).TotalSeconds} s</td>
            <td>{(session.Transfer is { } transfer ? $"{DashboardPage.Direction(transfer.Direction)} {transfer.Path}: {WebPage.Bytes(transfer.Bytes)}" : "-")}</td>
            <td>{(canKick ? WebPage.Form(http, $"/sessions/{Uri.EscapeDataString(session.Id)}/kick", Html.Empty, "Kick", "inline") : Html.Empty)}</td></tr>
            """)));
        return WebPage.Render(http, "Sessions", Html.Of($"""
            {WebPage.Notice(notice)}
            <p><a href="{WebAdmin.Root}/sessions">Refresh</a> (the dashboard updates by itself)</p>
            <div class="scroll"><table id="sessions">
            <thead><tr><th scope="col">User</th><th scope="col">Client</th><th scope="col">Security</th><th scope="col">Connected for</th><th scope="col">Transfer</th><th scope="col"><span class="hidden">Action</span></th></tr></thead>
            <tbody>{rows}</tbody>
            </table></div>
            """));
    }
}
