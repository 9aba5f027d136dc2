using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// Sessions per user counted across every node of a cluster, through the shared store. A session whose end could
/// not be recorded (the store was out of reach) is retried at the next heartbeat, so it does not count for ever; the
/// sessions held are written back after an outage (<see cref="RestoreAsync"/>), in case the others took this node for gone.
/// </summary>
public sealed class ClusterUserSessions(IClusterStore registry, ILogger logger) : IUserSessions
{
    private readonly ConcurrentQueue<string> _unrecordedEnds = new();
    private readonly ConcurrentDictionary<string, (string User, string Client)> _held = new(StringComparer.Ordinal);

    public async ValueTask<UserSessionAdmission> TryEnterAsync(string sessionId, string user, IPAddress client, long? limit, CancellationToken cancellationToken)
    {
        // One row per login: a session that logs in again after REIN must not collide with its earlier row.
        var rowId = $"{sessionId}:{Guid.NewGuid():N}";
        var (admitted, others) = await registry.EnterSessionAsync(rowId, user, client.ToString(), limit, cancellationToken).ConfigureAwait(false);
        if (admitted)
        {
            _held[rowId] = (user, client.ToString());
        }

        return new UserSessionAdmission(admitted ? new Ticket(this, rowId) : null, others);
    }

    /// <summary>Records the ends that failed before; those that fail again wait for the next call.</summary>
    public async Task RetryUnrecordedAsync(CancellationToken cancellationToken)
    {
        for (var pending = _unrecordedEnds.Count; pending > 0 && _unrecordedEnds.TryDequeue(out var sessionId); pending--)
        {
            await LeaveAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes back every session this node holds that the store no longer has.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var (sessionId, (user, client)) in _held)
        {
            await registry.RestoreSessionAsync(sessionId, user, client, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task LeaveAsync(string sessionId, CancellationToken cancellationToken)
    {
        _held.TryRemove(sessionId, out _);
        try
        {
            await registry.LeaveSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or OperationCanceledException)
        {
            Log.ClusterStoreFailed(logger, "record the end of a session", ex.Message);
            _unrecordedEnds.Enqueue(sessionId);
        }
    }

    private sealed class Ticket(ClusterUserSessions sessions, string sessionId) : IUserSessionTicket
    {
        private int _left;

        public async ValueTask LeaveAsync()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                await sessions.LeaveAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
