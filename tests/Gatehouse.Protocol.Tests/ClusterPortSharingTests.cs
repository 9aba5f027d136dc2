using System.Net;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Cluster;
using Gatehouse.Protocol.DataChannel;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Tests;

/// <summary>Two nodes on one store (SQLite here), the first of which loses it: what it promises without the store, and when.</summary>
public sealed class ClusterPortSharingTests : IDisposable
{
    private static readonly IPAddress Client = IPAddress.Parse("198.51.100.7");
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gatehouse-sharing-");
    private readonly ManualClock _time = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Without_the_store_a_node_promises_only_its_share_and_writes_the_claims_when_the_store_answers_again()
    {
        using var database = Open();
        using var otherDatabase = Open();
        var store = new SqlClusterStore(database, _time);
        var other = new SqlClusterStore(otherDatabase, _time);
        var joined = _time.GetUtcNow();
        await store.JoinAsync("node1", "127.0.0.1:2100", default);
        await other.JoinAsync("node2", "127.0.0.2:2100", default);
        var sharing = new ClusterPortSharing(store, database.Reachability, _time, NullLogger.Instance);
        sharing.UpdateMembers(await store.ReadNodesAsync(default), joined, joined);
        var ours = Enumerable.Range(50000, 100).Where(port => sharing.IsOurs(port, Client)).ToArray();
        Assert.InRange(ours.Length, 30, 70);

        // Just joined: the other node may not have read this one's membership yet, so its share is not safe alone.
        database.Reachability.ReportUnreachable(new TimeoutException("no answer"));
        await Assert.ThrowsAsync<DataChannelException>(() => sharing.ClaimAsync(ours[0], Client, "token-0", default));

        _time.Advance(2 * IClusterStore.HeartbeatInterval);
        sharing.UpdateMembers(await store.ReadNodesAsync(default), _time.GetUtcNow(), joined);
        database.Reachability.ReportUnreachable(new TimeoutException("no answer"));
        Assert.True(await sharing.ClaimAsync(ours[0], Client, "token-1", default));
        Assert.True(await sharing.ClaimAsync(ours[1], Client, "token-2", default));
        sharing.Release(ours[1], Client, "token-2");
        Assert.Null(await other.FindClaimAsync(ours[0], Client.ToString(), default));

        // The store answers again (the outage monitor's read finds it back; writes wait for that): the claim still held is
        // written, the released one never is.
        database.Reachability.ReportAnswered();
        await sharing.RecordOfflineClaimsAsync(default);
        Assert.True(database.Reachability.IsReachable);
        Assert.Equal(new PassiveClaim("token-1", store.NodeId, "node1", "127.0.0.1:2100"), await other.FindClaimAsync(ours[0], Client.ToString(), default));
        Assert.Null(await other.FindClaimAsync(ours[1], Client.ToString(), default));
        Assert.False(await other.ClaimPortAsync(ours[0], Client.ToString(), "token-other", default));

        // Cut off for longer than the offline limit, it stops: the others may then give its share out through the store.
        database.Reachability.ReportUnreachable(new TimeoutException("no answer"));
        _time.Advance(IClusterStore.OfflineClaimLimit + TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<DataChannelException>(() => sharing.ClaimAsync(ours[2], Client, "token-3", default));
    }

    private AccountDatabase Open() => AccountDatabase.OpenSqlite(Path.Combine(_directory.FullName, "accounts.db"), _time);
}
