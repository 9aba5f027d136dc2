using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Audit;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/sessions: the sessions this node runs now, with their transfers' progress, and closing one (kick).</summary>
internal static class SessionsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var sessions = ApiKeyReach.Mark(api.MapGroup("/sessions").WithTags("Sessions"));
        sessions.MapGet("/", async (LiveSessions live, IAccessStore access, HttpContext http) =>
            {
                var views = new List<SessionView>();
                foreach (var session in live.List())
                {
                    if (await ReachesAsync(session, access, http).ConfigureAwait(false))
                    {
                        views.Add(View(session));
                    }
                }

                return TypedResults.Ok(views.ToArray());
            })
            .WithSummary("Live sessions of this node, each with its running transfer and the bytes it has moved so far (for a key limited to some users, theirs only).");
        sessions.MapGet("/{id}", async Task<Results<Ok<SessionView>, ProblemHttpResult>> (string id, LiveSessions live, IAccessStore access, HttpContext http) =>
            live.Find(id) is { } session && await ReachesAsync(session, access, http).ConfigureAwait(false) ? TypedResults.Ok(View(session)) : NoSession(id))
            .WithSummary("One live session.");
        sessions.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, LiveSessions live, IAccessStore access, AuditTrail audit, HttpContext http) =>
            {
                var session = live.Find(id);
                if (session is null || !await ReachesAsync(session, access, http).ConfigureAwait(false) || !await live.KickAsync(id, AdminActor.Of(http).Who).ConfigureAwait(false))
                {
                    return NoSession(id);
                }

                await audit.RecordAsync(AdminActor.Of(http), "session.kick", id, $"user={session.User ?? "-"} client={session.Client}", null, http.RequestAborted).ConfigureAwait(false);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(AdminAuthorization.Write)
            .WithSummary("Close a session (kick): the client gets 421 and a running transfer stops. Needs a write key.");
    }

    /// <summary>Every session for an unlimited key; a limited key sees only those of users it reaches (not those before login).</summary>
    private static async Task<bool> ReachesAsync(SessionSnapshot session, IAccessStore access, HttpContext http) =>
        ApiKeyReach.Of(http) is not { } reach || await reach.ReachesAsync(session.User, access, http.RequestAborted).ConfigureAwait(false);

    private static ProblemHttpResult NoSession(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such session", detail: $"No session '{id}' runs on this node; it may have ended.");

    private static SessionView View(SessionSnapshot session) => new(
        session.Id,
        session.User,
        session.Client.ToString(),
        session.StartedAt,
        session.Secure,
        session.Transfer is { } transfer
            ? new TransferView(transfer.Path, transfer.Direction switch { TransferDirection.Incoming => "upload", TransferDirection.Outgoing => "download", _ => "listing" }, transfer.Bytes, transfer.StartedAt)
            : null);
}
