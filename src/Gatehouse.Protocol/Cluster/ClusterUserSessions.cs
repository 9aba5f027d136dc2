using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// Sessions per user counted across every node of a cluster, through the shared store. A session whose end could
/// not be recorded (the store was out of reach) is retried at the next heartbeat, so it does not count for ever.
/// While the store is unreachable, a login is counted against this node's own sessions of the user (the others cannot
/// be seen), and its row is written when the store is back, unless the session has ended by then. The sessions held
/// are written back after an outage (<see cref="RestoreAsync"/>), in case the others took this node for gone.
/// </summary>
public sealed class ClusterUserSessions(IClusterStore registry, ILogger logger) : IUserSessions, IStoreBacklog
{
    private readonly ConcurrentQueue<string> _unrecordedEnds = new();

    /// <summary>This node's sessions that hold a place, by row id.</summary>
    private readonly ConcurrentDictionary<string, HeldSession> _held = new(StringComparer.Ordinal);

    /// <summary>Sessions admitted while the store was away, by row id, whose row is still to be written.</summary>
    private readonly ConcurrentDictionary<string, HeldSession> _unrecordedEntries = new(StringComparer.Ordinal);

    public string What => "user sessions";

    public async ValueTask<UserSessionAdmission> TryEnterAsync(string sessionId, string user, IPAddress client, long? limit, CancellationToken cancellationToken)
    {
        // One row per login: a session that logs in again after REIN must not collide with its earlier row.
        var rowId = $"{sessionId}:{Guid.NewGuid():N}";
        var session = new HeldSession(user, client.ToString());
        try
        {
            var (admitted, others) = await registry.EnterSessionAsync(rowId, user, session.Client, limit, cancellationToken).ConfigureAwait(false);
            return new UserSessionAdmission(admitted ? Hold(rowId, session) : null, others);
        }
        catch (DbException ex) when (StoreReachability.IsOutage(ex))
        {
            Log.StoreWriteDeferred(logger, "record a session of " + user, ex.Message);
            lock (_held)
            {
                var here = _held.Values.Count(held => held.User == user);
                if (limit is { } max && here >= max)
                {
                    return new UserSessionAdmission(null, here);
                }

                _unrecordedEntries[rowId] = session;
                return new UserSessionAdmission(Hold(rowId, session), here);
            }
        }
    }

    /// <summary>Records the ends that failed before; those that fail again wait for the next call.</summary>
    public async Task RetryUnrecordedAsync(CancellationToken cancellationToken)
    {
        for (var pending = _unrecordedEnds.Count; pending > 0 && _unrecordedEnds.TryDequeue(out var sessionId); pending--)
        {
            await LeaveAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the rows of sessions admitted while the store was away, and the ends it missed.</summary>
    public async Task<int> WriteBackAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var (rowId, session) in _unrecordedEntries)
        {
            await registry.EnterSessionAsync(rowId, session.User, session.Client, limit: null, cancellationToken).ConfigureAwait(false);
            _unrecordedEntries.TryRemove(rowId, out _);
            written++;
            if (!_held.ContainsKey(rowId))
            {
                // It ended while its row was being written.
                await LeaveAsync(rowId, cancellationToken).ConfigureAwait(false);
            }
        }

        var ends = _unrecordedEnds.Count;
        await RetryUnrecordedAsync(cancellationToken).ConfigureAwait(false);
        return written + ends - _unrecordedEnds.Count;
    }

    /// <summary>Writes back every session this node holds that the store no longer has.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var (rowId, session) in _held)
        {
            // Rows never written are written by WriteBackAsync, which admits them once.
            if (!_unrecordedEntries.ContainsKey(rowId))
            {
                await registry.RestoreSessionAsync(rowId, session.User, session.Client, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Ticket Hold(string rowId, HeldSession session)
    {
        _held[rowId] = session;
        return new Ticket(this, rowId);
    }

    private async Task EndAsync(string rowId)
    {
        _held.TryRemove(rowId, out _);
        if (!_unrecordedEntries.TryRemove(rowId, out _))
        {
            await LeaveAsync(rowId, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task LeaveAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await registry.LeaveSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or OperationCanceledException)
        {
            if (StoreReachability.IsOutage(ex))
            {
                Log.StoreWriteDeferred(logger, "record the end of a session", ex.Message);
            }
            else
            {
                Log.ClusterStoreFailed(logger, "record the end of a session", ex.Message);
            }

            _unrecordedEnds.Enqueue(sessionId);
        }
    }

    private sealed record HeldSession(string User, string Client);

    private sealed class Ticket(ClusterUserSessions sessions, string rowId) : IUserSessionTicket
    {
        private int _left;

        public async ValueTask LeaveAsync()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                await sessions.EndAsync(rowId).ConfigureAwait(false);
            }
        }
    }
}
