using System.Collections.Concurrent;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Server;

/// <summary>
/// The sessions this node runs now, registered by <see cref="FtpServer"/> for as long as each runs: the admin API lists
/// them with their transfers' progress and closes one on request ("kick").
/// </summary>
public sealed class LiveSessions
{
    private static readonly FtpReply KickedReply = new(421, "Your session was closed by the server's administrator.");
    private readonly ConcurrentDictionary<string, FtpSession> _sessions = new();

    public int Count => _sessions.Count;

    public IReadOnlyList<SessionSnapshot> List() => [.. _sessions.Values.Select(session => session.Snapshot()).OrderBy(session => session.StartedAt)];

    public SessionSnapshot? Find(string id) => _sessions.TryGetValue(id, out var session) ? session.Snapshot() : null;

    /// <summary>Closes a session (421 to the client, a running transfer stopped) and logs who asked.</summary>
    /// <returns>False when no session has that id (it may have ended meanwhile).</returns>
    public async Task<bool> KickAsync(string id, string by)
    {
        if (!_sessions.TryGetValue(id, out var session))
        {
            return false;
        }

        Log.SessionKicked(session.Logger, id, by);
        await session.CloseAsync(KickedReply, $"closed by an administrator ({by})").ConfigureAwait(false);
        return true;
    }

    internal void Add(FtpSession session) => _sessions[session.Id] = session;

    internal void Remove(FtpSession session) => _sessions.TryRemove(new KeyValuePair<string, FtpSession>(session.Id, session));
}
