using Gatehouse.Accounts.Cluster;

namespace Gatehouse.Accounts.Store;

/// <summary>
/// <see cref="IClusterStore"/> in the account database (SQLite for one node, PostgreSQL shared by several). Sessions
/// are written before they are counted, so that racing logins on two nodes see each other.
/// </summary>
public sealed class SqlClusterStore(AccountDatabase database, TimeProvider time) : IClusterStore
{
    private string _name = string.Empty;
    private string? _relayEndPoint;
    private DateTimeOffset _startedAt;

    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    public async Task JoinAsync(string name, string? relayEndPoint, CancellationToken cancellationToken)
    {
        (_name, _relayEndPoint, _startedAt) = (name, relayEndPoint, time.GetUtcNow());
        await UpsertSelfAsync(cancellationToken).ConfigureAwait(false);
    }

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
            ("@dead", AccountDatabase.Format(now - IClusterStore.NodeLifetime)),
            ("@me", NodeId),
            ("@stale", AccountDatabase.Format(now - claimLifetime))).ConfigureAwait(false);
    }

    public Task LeaveAsync(CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            DELETE FROM cluster_sessions WHERE node_id = @me;
            DELETE FROM passive_claims WHERE node_id = @me;
            DELETE FROM cluster_nodes WHERE id = @me;
            """,
            cancellationToken,
            ("@me", NodeId));

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

    public async Task<int> CountSessionsAsync(string user, CancellationToken cancellationToken) =>
        Convert.ToInt32(
            await database.ScalarAsync(
                "SELECT COUNT(*) FROM cluster_sessions s JOIN cluster_nodes n ON n.id = s.node_id WHERE s.user_name = @user AND n.heartbeat_at >= @alive",
                cancellationToken,
                ("@user", user),
                ("@alive", AliveSince())).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);

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

    private string AliveSince() => AccountDatabase.Format(time.GetUtcNow() - IClusterStore.NodeLifetime);

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
