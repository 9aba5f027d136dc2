using Gatehouse.Accounts.Store;

namespace Gatehouse.Accounts.Cluster;

/// <summary>Who holds a passive port for a client, and where that node takes relayed data connections.</summary>
public sealed record PassiveClaim(string Token, string NodeId, string NodeName, string? RelayEndPoint);

/// <summary>
/// What the nodes of a cluster tell each other through the shared store: which nodes are alive (a heartbeat every
/// <see cref="HeartbeatInterval"/>), which user sessions each holds, and which passive port each has promised to which
/// client. A node without a heartbeat for <see cref="NodeLifetime"/> counts as gone: its sessions and claims stop
/// counting and the next heartbeat of any node deletes them. Times compare the nodes' clocks, so the nodes must keep
/// them in step (NTP), to well within the lifetime.
/// </summary>
public sealed class ClusterRegistry(AccountDatabase database, TimeProvider time)
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan NodeLifetime = TimeSpan.FromSeconds(30);

    private string _name = string.Empty;
    private string? _relayEndPoint;
    private DateTimeOffset _startedAt;

    /// <summary>This process's identity in the store; a restarted node is a new one.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    public async Task JoinAsync(string name, string? relayEndPoint, CancellationToken cancellationToken)
    {
        (_name, _relayEndPoint, _startedAt) = (name, relayEndPoint, time.GetUtcNow());
        await UpsertSelfAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Proves this node alive and deletes what gone nodes left behind. A node the others gave up for gone (the store was
    /// out of its reach for longer than the lifetime) comes back, but the sessions they deleted no longer count.
    /// </summary>
    /// <param name="claimLifetime">Claims of this node older than this are leftovers of a release that failed.</param>
    public async Task HeartbeatAsync(TimeSpan claimLifetime, CancellationToken cancellationToken)
    {
        await UpsertSelfAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        await database.ExecuteAsync(
            """
            DELETE FROM cluster_nodes WHERE heartbeat_at < @dead;
            DELETE FROM cluster_sessions WHERE node_id NOT IN (SELECT id FROM cluster_nodes);
            DELETE FROM passive_claims WHERE node_id NOT IN (SELECT id FROM cluster_nodes) OR (node_id = @me AND claimed_at < @stale);
            """,
            cancellationToken,
            ("@dead", AccountDatabase.Format(now - NodeLifetime)),
            ("@me", NodeId),
            ("@stale", AccountDatabase.Format(now - claimLifetime))).ConfigureAwait(false);
    }

    /// <summary>A clean stop: this node's sessions and claims stop counting at once, not after the lifetime.</summary>
    public Task LeaveAsync(CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            DELETE FROM cluster_sessions WHERE node_id = @me;
            DELETE FROM passive_claims WHERE node_id = @me;
            DELETE FROM cluster_nodes WHERE id = @me;
            """,
            cancellationToken,
            ("@me", NodeId));

    /// <summary>
    /// Records a session of <paramref name="user"/> unless that would pass <paramref name="limit"/> across all live nodes.
    /// The row is written before the count, so of two logins racing on different nodes at least one sees the other:
    /// the limit is never passed, and at worst both are refused.
    /// </summary>
    /// <returns>Whether the session was admitted, and how many other sessions the user holds.</returns>
    public async Task<(bool Admitted, int Others)> EnterSessionAsync(string sessionId, string user, string client, long? limit, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync(
            "INSERT INTO cluster_sessions (id, node_id, user_name, client_address, started_at) VALUES (@id, @node, @user, @client, @now)",
            cancellationToken,
            ("@id", sessionId),
            ("@node", NodeId),
            ("@user", user),
            ("@client", client),
            ("@now", AccountDatabase.Format(time.GetUtcNow()))).ConfigureAwait(false);
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

    public Task LeaveSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM cluster_sessions WHERE id = @id", cancellationToken, ("@id", sessionId));

    /// <summary>Sessions of <paramref name="user"/> on live nodes.</summary>
    public async Task<int> CountSessionsAsync(string user, CancellationToken cancellationToken) =>
        Convert.ToInt32(
            await database.ScalarAsync(
                "SELECT COUNT(*) FROM cluster_sessions s JOIN cluster_nodes n ON n.id = s.node_id WHERE s.user_name = @user AND n.heartbeat_at >= @alive",
                cancellationToken,
                ("@user", user),
                ("@alive", AliveSince())).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Promises <paramref name="port"/> to <paramref name="client"/> on this node; false when another node (or this one) already has.</summary>
    public async Task<bool> ClaimPortAsync(int port, string client, string token, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            INSERT INTO passive_claims (port, client_address, node_id, token, claimed_at) VALUES (@port, @client, @node, @token, @now)
            ON CONFLICT (port, client_address) DO NOTHING
            """,
            cancellationToken,
            ("@port", port),
            ("@client", client),
            ("@node", NodeId),
            ("@token", token),
            ("@now", AccountDatabase.Format(time.GetUtcNow()))).ConfigureAwait(false) == 1;

    public Task ReleasePortAsync(int port, string client, string token, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "DELETE FROM passive_claims WHERE port = @port AND client_address = @client AND token = @token",
            cancellationToken,
            ("@port", port),
            ("@client", client),
            ("@token", token));

    /// <summary>The live node that promised <paramref name="port"/> to <paramref name="client"/>, if any.</summary>
    public async Task<PassiveClaim?> FindClaimAsync(int port, string client, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(
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

    private string AliveSince() => AccountDatabase.Format(time.GetUtcNow() - NodeLifetime);

    private Task UpsertSelfAsync(CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            INSERT INTO cluster_nodes (id, name, relay_endpoint, started_at, heartbeat_at) VALUES (@id, @name, @relay, @started, @now)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """,
            cancellationToken,
            ("@id", NodeId),
            ("@name", _name),
            ("@relay", _relayEndPoint),
            ("@started", AccountDatabase.Format(_startedAt)),
            ("@now", AccountDatabase.Format(time.GetUtcNow())));
}
