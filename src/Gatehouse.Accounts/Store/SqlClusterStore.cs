using System.Security.Cryptography;
using Gatehouse.Accounts.Cluster;

namespace Gatehouse.Accounts.Store;

/// <summary>
/// <see cref="IClusterStore"/> in the account database (SQLite for one node, PostgreSQL shared by several). Sessions
/// are written before they are counted, so that racing logins on two nodes see each other.
/// </summary>
public sealed class SqlClusterStore : IClusterStore
{
    private readonly AccountDatabase _database;
    private readonly TimeProvider _time;
    private string _name = string.Empty;
    private string? _relayEndPoint;
    private DateTimeOffset _startedAt;
    private volatile Outage? _lastOutage;

    public SqlClusterStore(AccountDatabase database, TimeProvider time)
    {
        (_database, _time) = (database, time);
        _database.Reachability.Restored += away =>
        {
            var now = _time.GetUtcNow();
            _lastOutage = new Outage(now - away, now);
        };
    }

    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    public string RelayKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public async Task JoinAsync(string name, string? relayEndPoint, CancellationToken cancellationToken)
    {
        (_name, _relayEndPoint, _startedAt) = (name, relayEndPoint, _time.GetUtcNow());
        await UpsertSelfAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task HeartbeatAsync(TimeSpan claimLifetime, CancellationToken cancellationToken)
    {
        await UpsertSelfAsync(cancellationToken).ConfigureAwait(false);
        // A dead node's row outlives its sessions and claims by the offline limit: its share of the range stays out of use.
        await _database.ExecuteAsync(
            """
            DELETE FROM cluster_nodes WHERE heartbeat_at < @forgotten;
            DELETE FROM cluster_sessions WHERE node_id NOT IN (SELECT id FROM cluster_nodes WHERE heartbeat_at >= @alive);
            DELETE FROM passive_claims WHERE node_id NOT IN (SELECT id FROM cluster_nodes WHERE heartbeat_at >= @alive) OR (node_id = @me AND claimed_at < @stale);
            """,
            cancellationToken,
            ("@forgotten", HeardSince(IClusterStore.NodeLifetime + IClusterStore.OfflineClaimLimit)),
            ("@alive", AliveSince()),
            ("@me", NodeId),
            ("@stale", AccountDatabase.Format(_time.GetUtcNow() - claimLifetime))).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ClusterNode>> ReadNodesAsync(CancellationToken cancellationToken) =>
        await _database.QueryAsync(
            "SELECT id, name, relay_endpoint, relay_key FROM cluster_nodes WHERE heartbeat_at >= @since ORDER BY id",
            reader => new ClusterNode(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)),
            cancellationToken,
            ("@since", HeardSince(IClusterStore.NodeLifetime + IClusterStore.OfflineClaimLimit))).ConfigureAwait(false);

    public Task LeaveAsync(CancellationToken cancellationToken) =>
        _database.ExecuteAsync(
            """
            DELETE FROM cluster_sessions WHERE node_id = @me;
            DELETE FROM passive_claims WHERE node_id = @me;
            DELETE FROM cluster_nodes WHERE id = @me;
            """,
            cancellationToken,
            ("@me", NodeId));

    public async Task<(bool Admitted, int Others)> EnterSessionAsync(string sessionId, string user, string client, long? limit, CancellationToken cancellationToken)
    {
        await _database.ExecuteAsync(
            "INSERT INTO cluster_sessions (id, node_id, user_name, client_address, started_at) VALUES (@id, @node, @user, @client, @now)",
            cancellationToken,
            ("@id", sessionId),
            ("@node", NodeId),
            ("@user", user),
            ("@client", client),
            ("@now", AccountDatabase.Format(_time.GetUtcNow()))).ConfigureAwait(false);
        if (limit is null)
        {
            return (true, 0);
        }

        var holding = await CountSessionsAsync(user, cancellationToken).ConfigureAwait(false);
        if (holding <= limit)
        {
            return (true, holding - 1);
        }

        await LeaveSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return (false, holding - 1);
    }

    public Task RestoreSessionAsync(string sessionId, string user, string client, CancellationToken cancellationToken) =>
        _database.ExecuteAsync(
            "INSERT INTO cluster_sessions (id, node_id, user_name, client_address, started_at) VALUES (@id, @node, @user, @client, @now) ON CONFLICT (id) DO NOTHING",
            cancellationToken,
            ("@id", sessionId),
            ("@node", NodeId),
            ("@user", user),
            ("@client", client),
            ("@now", AccountDatabase.Format(_time.GetUtcNow())));

    public Task LeaveSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        _database.ExecuteAsync("DELETE FROM cluster_sessions WHERE id = @id", cancellationToken, ("@id", sessionId));

    public async Task<int> CountSessionsAsync(string user, CancellationToken cancellationToken) =>
        Convert.ToInt32(
            await _database.ScalarAsync(
                "SELECT COUNT(*) FROM cluster_sessions s JOIN cluster_nodes n ON n.id = s.node_id WHERE s.user_name = @user AND n.heartbeat_at >= @alive",
                cancellationToken,
                ("@user", user),
                ("@alive", AliveSince())).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);

    public async Task<bool> ClaimPortAsync(int port, string client, string token, CancellationToken cancellationToken) =>
        await _database.ExecuteAsync(
            """
            INSERT INTO passive_claims (port, client_address, node_id, token, claimed_at) VALUES (@port, @client, @node, @token, @now)
            ON CONFLICT (port, client_address) DO NOTHING
            """,
            cancellationToken,
            ("@port", port),
            ("@client", client),
            ("@node", NodeId),
            ("@token", token),
            ("@now", AccountDatabase.Format(_time.GetUtcNow()))).ConfigureAwait(false) == 1;

    public Task ReleasePortAsync(int port, string client, string token, CancellationToken cancellationToken) =>
        _database.ExecuteAsync(
            "DELETE FROM passive_claims WHERE port = @port AND client_address = @client AND token = @token",
            cancellationToken,
            ("@port", port),
            ("@client", client),
            ("@token", token));

    public async Task<PassiveClaim?> FindClaimAsync(int port, string client, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(
            """
            SELECT c.token, n.id, n.name, n.relay_endpoint FROM passive_claims c JOIN cluster_nodes n ON n.id = c.node_id
            WHERE c.port = @port AND c.client_address = @client AND n.heartbeat_at >= @alive
            """,
            reader => new PassiveClaim(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)),
            cancellationToken,
            ("@port", port),
            ("@client", client),
            ("@alive", AliveSince())).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private string AliveSince() => HeardSince(IClusterStore.NodeLifetime);

    /// <summary>
    /// The oldest heartbeat that still counts for a node silent at most <paramref name="silence"/>. For a lifetime after
    /// the store's return, the silence is counted up to when the store became unreachable: every node was silent through
    /// the outage, and each needs a heartbeat's time after it to speak again.
    /// </summary>
    private string HeardSince(TimeSpan silence)
    {
        var now = _time.GetUtcNow();
        var since = now - silence;
        if (_lastOutage is { } outage && now < outage.Ended + IClusterStore.NodeLifetime && outage.Began - silence < since)
        {
            since = outage.Began - silence;
        }

        return AccountDatabase.Format(since);
    }

    private Task UpsertSelfAsync(CancellationToken cancellationToken) =>
        _database.ExecuteAsync(
            """
            INSERT INTO cluster_nodes (id, name, relay_endpoint, relay_key, started_at, heartbeat_at) VALUES (@id, @name, @relay, @key, @started, @now)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """,
            cancellationToken,
            ("@id", NodeId),
            ("@name", _name),
            ("@relay", _relayEndPoint),
            ("@key", RelayKey),
            ("@started", AccountDatabase.Format(_startedAt)),
            ("@now", AccountDatabase.Format(_time.GetUtcNow())));

    /// <summary>The store's last outage as this node saw it: from the first query that failed to the first that was answered.</summary>
    private sealed record Outage(DateTimeOffset Began, DateTimeOffset Ended);
}
