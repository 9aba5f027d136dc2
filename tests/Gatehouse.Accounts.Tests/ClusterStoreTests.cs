using Gatehouse.Accounts.Cluster;
using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteClusterStoreTests() : ClusterStoreTests(new SqliteTestDatabase());

[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterStoreTests(PostgresServer server) : ClusterStoreTests(new PostgresTestDatabase(server));

/// <summary>Two registries on one database are two nodes of a cluster.</summary>
public abstract class ClusterStoreTests(TestDatabase database) : IDisposable
{
    private static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(2);
    private readonly ManualTime _time = new();
    private readonly CancellationToken _none = CancellationToken.None;

    public void Dispose()
    {
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<SqlClusterStore> NodeAsync(string name, string? relay = null) => (await NodeWithDatabaseAsync(name, relay)).Node;

    private async Task<(SqlClusterStore Node, AccountDatabase Database)> NodeWithDatabaseAsync(string name, string? relay = null)
    {
        var opened = database.Open(_time);
        var node = new SqlClusterStore(opened, _time);
        await node.JoinAsync(name, relay, _none);
        return (node, opened);
    }

    [Fact]
    public async Task Nodes_silent_through_an_outage_longer_than_their_lifetime_count_until_a_lifetime_after_the_store_returned()
    {
        var first = await NodeAsync("node1", relay: "10.0.0.11:2100");
        var (second, secondDatabase) = await NodeWithDatabaseAsync("node2", relay: "10.0.0.12:2100");
        var dead = await NodeAsync("node3");
        await first.EnterSessionAsync("s1", "alice", "198.51.100.7", 1, _none);
        Assert.True(await first.ClaimPortAsync(50001, "198.51.100.7", "token-1", _none));
        await dead.EnterSessionAsync("s0", "bob", "198.51.100.9", null, _none);

        // node3 dies; the others beat until the store goes away, and stays away for longer than a lifetime.
        _time.Advance(IClusterStore.NodeLifetime + TimeSpan.FromSeconds(5));
        await first.HeartbeatAsync(ClaimLifetime, _none);
        await second.HeartbeatAsync(ClaimLifetime, _none);
        secondDatabase.Reachability.ReportUnreachable(new TimeoutException("no answer"));
        _time.Advance(IClusterStore.NodeLifetime + TimeSpan.FromSeconds(10));

        // node2 reaches the store first (its outage monitor's read finds it back; writes wait for that): node1, silent only
        // because of the outage, still counts, and keeps its claim.
        await secondDatabase.ScalarAsync("SELECT 1", _none);
        await second.HeartbeatAsync(ClaimLifetime, _none);
        Assert.True(secondDatabase.Reachability.IsReachable);
        Assert.Equal((false, 1), await second.EnterSessionAsync("s2", "alice", "198.51.100.8", 1, _none));
        Assert.Equal("node1", (await second.FindClaimAsync(50001, "198.51.100.7", _none))?.NodeName);
        Assert.Equal(0, await second.CountSessionsAsync("bob", _none));

        // A lifetime after the return node1 has still not spoken: now it is gone.
        _time.Advance(IClusterStore.NodeLifetime + TimeSpan.FromSeconds(1));
        await second.HeartbeatAsync(ClaimLifetime, _none);
        Assert.Equal((true, 0), await second.EnterSessionAsync("s3", "alice", "198.51.100.8", 1, _none));
        Assert.Null(await second.FindClaimAsync(50001, "198.51.100.7", _none));
    }

    [Fact]
    public async Task A_silent_nodes_share_is_kept_for_the_offline_limit_and_its_lost_sessions_can_be_written_back()
    {
        var first = await NodeAsync("node1", relay: "10.0.0.11:2100");
        var second = await NodeAsync("node2");
        await first.EnterSessionAsync("s1", "alice", "198.51.100.7", null, _none);

        // node1 is cut off from the store alone: the others take it for gone, but keep its share of the range out of use.
        _time.Advance(IClusterStore.NodeLifetime + TimeSpan.FromSeconds(1));
        await second.HeartbeatAsync(ClaimLifetime, _none);
        Assert.Equal(0, await second.CountSessionsAsync("alice", _none));
        var members = await second.ReadNodesAsync(_none);
        Assert.Equal(new ClusterNode(first.NodeId, "node1", "10.0.0.11:2100", first.RelayKey), Assert.Single(members, node => node.Id == first.NodeId));
        Assert.NotEqual(first.RelayKey, second.RelayKey);

        // It comes back and writes its session back, once however often it tries.
        await first.HeartbeatAsync(ClaimLifetime, _none);
        await first.RestoreSessionAsync("s1", "alice", "198.51.100.7", _none);
        await first.RestoreSessionAsync("s1", "alice", "198.51.100.7", _none);
        Assert.Equal(1, await second.CountSessionsAsync("alice", _none));

        _time.Advance(IClusterStore.NodeLifetime + IClusterStore.OfflineClaimLimit + TimeSpan.FromSeconds(1));
        await second.HeartbeatAsync(ClaimLifetime, _none);
        Assert.Equal([second.NodeId], (await second.ReadNodesAsync(_none)).Select(node => node.Id));
    }

    [Fact]
    public async Task A_user_limit_counts_the_sessions_of_every_node_and_a_session_that_ends_frees_its_place()
    {
        var first = await NodeAsync("node1");
        var second = await NodeAsync("node2");

        Assert.Equal((true, 0), await first.EnterSessionAsync("s1", "alice", "198.51.100.7", 2, _none));
        Assert.Equal((true, 1), await second.EnterSessionAsync("s2", "alice", "198.51.100.8", 2, _none));
        Assert.Equal((false, 2), await first.EnterSessionAsync("s3", "alice", "198.51.100.9", 2, _none));
        Assert.Equal((true, 0), await second.EnterSessionAsync("s4", "bob", "198.51.100.9", 1, _none));
        Assert.Equal(2, await second.CountSessionsAsync("alice", _none));

        await first.LeaveSessionAsync("s1", _none);
        Assert.Equal((true, 1), await second.EnterSessionAsync("s5", "alice", "198.51.100.9", 2, _none));
    }

    [Fact]
    public async Task Logins_racing_on_two_nodes_never_pass_the_limit_together()
    {
        var first = await NodeAsync("node1");
        var second = await NodeAsync("node2");
        var attempts = Enumerable.Range(0, 20)
            .Select(i => (i % 2 == 0 ? first : second).EnterSessionAsync($"race-{i}", "alice", "198.51.100.7", 3, _none))
            .ToArray();
        var admitted = (await Task.WhenAll(attempts)).Count(result => result.Admitted);

        Assert.InRange(admitted, 1, 3);
        Assert.Equal(admitted, await first.CountSessionsAsync("alice", _none));
    }

    [Fact]
    public async Task A_node_without_heartbeat_stops_counting_and_the_next_heartbeat_clears_what_it_left()
    {
        var first = await NodeAsync("node1", relay: "10.0.0.11:2100");
        var second = await NodeAsync("node2", relay: "10.0.0.12:2100");
        await first.EnterSessionAsync("s1", "alice", "198.51.100.7", 1, _none);
        Assert.True(await first.ClaimPortAsync(50001, "198.51.100.7", "token-1", _none));

        _time.Advance(IClusterStore.NodeLifetime - TimeSpan.FromSeconds(1));
        await second.HeartbeatAsync(ClaimLifetime, _none);
        Assert.Equal((false, 1), await second.EnterSessionAsync("s2", "alice", "198.51.100.8", 1, _none));
        Assert.Equal("node1", (await second.FindClaimAsync(50001, "198.51.100.7", _none))?.NodeName);

        // node1 dies: after the lifetime its session and claim no longer count, and a heartbeat deletes them.
        _time.Advance(TimeSpan.FromSeconds(2));
        await second.HeartbeatAsync(ClaimLifetime, _none);
        Assert.Null(await second.FindClaimAsync(50001, "198.51.100.7", _none));
        Assert.Equal((true, 0), await second.EnterSessionAsync("s3", "alice", "198.51.100.8", 1, _none));
        Assert.True(await second.ClaimPortAsync(50001, "198.51.100.7", "token-2", _none));
    }

    [Fact]
    public async Task A_port_is_promised_to_a_client_once_across_the_cluster_and_found_with_its_nodes_relay()
    {
        var first = await NodeAsync("node1", relay: "10.0.0.11:2100");
        var second = await NodeAsync("node2", relay: "10.0.0.12:2100");

        Assert.True(await first.ClaimPortAsync(50001, "198.51.100.7", "token-1", _none));
        Assert.False(await second.ClaimPortAsync(50001, "198.51.100.7", "token-2", _none));
        Assert.True(await second.ClaimPortAsync(50001, "198.51.100.8", "token-3", _none));

        var claim = await second.FindClaimAsync(50001, "198.51.100.7", _none);
        Assert.Equal(new PassiveClaim("token-1", first.NodeId, "node1", "10.0.0.11:2100"), claim);

        // Only the holder of the token releases it.
        await second.ReleasePortAsync(50001, "198.51.100.7", "token-2", _none);
        Assert.NotNull(await second.FindClaimAsync(50001, "198.51.100.7", _none));
        await first.ReleasePortAsync(50001, "198.51.100.7", "token-1", _none);
        Assert.Null(await second.FindClaimAsync(50001, "198.51.100.7", _none));
    }

    [Fact]
    public async Task A_clean_leave_frees_everything_at_once_and_old_claims_of_a_live_node_are_cleared()
    {
        var first = await NodeAsync("node1", relay: "10.0.0.11:2100");
        var second = await NodeAsync("node2");
        await first.EnterSessionAsync("s1", "alice", "198.51.100.7", null, _none);
        await first.ClaimPortAsync(50001, "198.51.100.7", "token-1", _none);
        await first.LeaveAsync(_none);
        Assert.Equal(0, await second.CountSessionsAsync("alice", _none));
        Assert.Null(await second.FindClaimAsync(50001, "198.51.100.7", _none));

        // A claim whose release was lost: the owner's own heartbeat deletes it once it is older than any reservation.
        await second.ClaimPortAsync(50002, "198.51.100.7", "token-2", _none);
        _time.Advance(ClaimLifetime + TimeSpan.FromSeconds(1));
        await second.HeartbeatAsync(ClaimLifetime, _none);
        Assert.Null(await second.FindClaimAsync(50002, "198.51.100.7", _none));
    }
}
