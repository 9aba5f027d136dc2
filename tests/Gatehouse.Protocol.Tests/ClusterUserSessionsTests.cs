using System.Net;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Cluster;
using Gatehouse.Protocol.Tests.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Protocol.Tests;

/// <summary>max-sessions across the cluster while the shared store is away: this node's own sessions count, and are written back.</summary>
public sealed class ClusterUserSessionsTests : IDisposable
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.7");
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gatehouse-sessions-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly AccountDatabase _database;
    private readonly SqlClusterStore _stored;
    private readonly AwayableClusterStore _store;
    private readonly ClusterUserSessions _sessions;

    public ClusterUserSessionsTests()
    {
        _database = AccountDatabase.OpenSqlite(Path.Combine(_directory.FullName, "accounts.db"));
        _stored = new SqlClusterStore(_database, _time);
        _store = new AwayableClusterStore(_stored);
        _sessions = new ClusterUserSessions(_store, new CapturedLogs().CreateLogger("test"));
    }

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task While_the_store_is_away_the_limit_counts_this_nodes_sessions_and_their_rows_are_written_when_it_is_back()
    {
        await _stored.JoinAsync("node", null, CancellationToken.None);
        var before = await _sessions.TryEnterAsync("s1", "alice", Client, 3, CancellationToken.None);
        Assert.NotNull(before.Ticket);

        _store.Away = true;
        var second = await _sessions.TryEnterAsync("s2", "alice", Client, 3, CancellationToken.None);
        var third = await _sessions.TryEnterAsync("s3", "alice", Client, 3, CancellationToken.None);
        var fourth = await _sessions.TryEnterAsync("s4", "alice", Client, 3, CancellationToken.None);
        Assert.Equal((1, 2), (second.Others, third.Others));
        Assert.NotNull(third.Ticket);
        Assert.Null(fourth.Ticket);
        Assert.Equal(3, fourth.Others);

        // One of the sessions admitted meanwhile ends before the store is back: its row is never written.
        await third.Ticket!.LeaveAsync();
        _store.Away = false;
        Assert.Equal(1, await _sessions.WriteBackAsync(CancellationToken.None));
        Assert.Equal(2, await _stored.CountSessionsAsync("alice", CancellationToken.None));

        await second.Ticket!.LeaveAsync();
        await before.Ticket!.LeaveAsync();
        Assert.Equal(0, await _stored.CountSessionsAsync("alice", CancellationToken.None));
    }

    /// <summary>The SQL store, failing as an unreachable database does while <see cref="Away"/>.</summary>
    private sealed class AwayableClusterStore(IClusterStore store) : IClusterStore
    {
        public bool Away { get; set; }

        public string NodeId => store.NodeId;

        public string RelayKey => store.RelayKey;

        public Task JoinAsync(string name, string? relayEndPoint, CancellationToken cancellationToken) => Run(() => store.JoinAsync(name, relayEndPoint, cancellationToken));

        public Task HeartbeatAsync(TimeSpan claimLifetime, CancellationToken cancellationToken) => Run(() => store.HeartbeatAsync(claimLifetime, cancellationToken));

        public Task LeaveAsync(CancellationToken cancellationToken) => Run(() => store.LeaveAsync(cancellationToken));

        public Task<(bool Admitted, int Others)> EnterSessionAsync(string sessionId, string user, string client, long? limit, CancellationToken cancellationToken) =>
            Run(() => store.EnterSessionAsync(sessionId, user, client, limit, cancellationToken));

        public Task<IReadOnlyList<ClusterNode>> ReadNodesAsync(CancellationToken cancellationToken) => Run(() => store.ReadNodesAsync(cancellationToken));

        public Task RestoreSessionAsync(string sessionId, string user, string client, CancellationToken cancellationToken) =>
            Run(() => store.RestoreSessionAsync(sessionId, user, client, cancellationToken));

        public Task LeaveSessionAsync(string sessionId, CancellationToken cancellationToken) => Run(() => store.LeaveSessionAsync(sessionId, cancellationToken));

        public Task<int> CountSessionsAsync(string user, CancellationToken cancellationToken) => Run(() => store.CountSessionsAsync(user, cancellationToken));

        public Task<bool> ClaimPortAsync(int port, string client, string token, CancellationToken cancellationToken) => Run(() => store.ClaimPortAsync(port, client, token, cancellationToken));

        public Task ReleasePortAsync(int port, string client, string token, CancellationToken cancellationToken) => Run(() => store.ReleasePortAsync(port, client, token, cancellationToken));

        public Task<PassiveClaim?> FindClaimAsync(int port, string client, CancellationToken cancellationToken) => Run(() => store.FindClaimAsync(port, client, cancellationToken));

        private Task Run(Func<Task> call) => Away ? Task.FromException(Unreachable()) : call();

        private Task<T> Run<T>(Func<Task<T>> call) => Away ? Task.FromException<T>(Unreachable()) : call();

        private static StoreUnavailableException Unreachable() => new("test store", new TimeoutException("no answer"));
    }
}
