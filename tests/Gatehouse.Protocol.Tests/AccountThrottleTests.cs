using System.Net;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Networks;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Tests.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Protocol.Tests;

/// <summary>Two throttles on one database are two nodes of a cluster on their shared store.</summary>
public sealed class AccountThrottleTests : IDisposable
{
    private static readonly AccountThrottlePolicy Policy = new(true, 5, TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gatehouse-throttle-");
    private readonly List<AccountDatabase> _databases = [];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs _logs = new();

    public void Dispose()
    {
        _databases.ForEach(database => database.Dispose());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Attempts_from_addresses_that_failed_queue_across_nodes_while_a_clean_address_is_answered_at_once()
    {
        var (first, second) = (Node(), Node());
        await FailFromAsync(first, 5);

        Assert.Equal(TimeSpan.FromSeconds(1), (await BeginAsync(first, "192.0.2.1")).Wait);
        Assert.Equal(TimeSpan.FromSeconds(3), (await BeginAsync(second, "192.0.2.2")).Wait);
        Assert.Equal(TimeSpan.FromSeconds(7), (await BeginAsync(first, "192.0.2.3")).Wait);
        Assert.Equal(TimeSpan.Zero, (await BeginAsync(second, "198.51.100.1")).Wait);
        Assert.Equal([170, 170, 170], _logs.Entries.Select(entry => entry.EventId));
        Assert.Contains("Login for 'alice' held 3000 ms before its answer: 6 failed logins for this name from 5 addresses", _logs.Entries.Select(entry => entry.Message).ElementAt(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_attempt_behind_a_full_queue_is_refused_and_an_exempt_address_is_never_held()
    {
        Assert.True(NetworkList.TryParse(["192.0.2.9/32"], out var exempt, out _));
        var node = Node(exempt);
        await FailFromAsync(node, 9);

        Assert.Equal(TimeSpan.FromSeconds(16), (await BeginAsync(node, "192.0.2.1")).Wait);
        var refused = await BeginAsync(node, "192.0.2.2");
        Assert.True(refused.Refused);
        Assert.Equal(TimeSpan.Zero, (await BeginAsync(node, "192.0.2.9")).Wait);
        Assert.Equal(171, _logs.Entries.Last().EventId);
    }

    [Fact]
    public async Task A_right_password_takes_back_its_place_and_the_failures_of_its_address()
    {
        var node = Node();
        await FailFromAsync(node, 5);
        var held = await BeginAsync(node, "192.0.2.1");
        Assert.True(held.Recorded);

        await node.SucceededAsync(held, _logs.CreateLogger("test"));

        // 192.0.2.1's failure and its pending place are gone: it is a clean address again, and the others' queue is shorter.
        Assert.Equal(TimeSpan.Zero, (await BeginAsync(node, "192.0.2.1")).Wait);
        Assert.Equal(TimeSpan.Zero, (await BeginAsync(node, "192.0.2.2")).Wait);
    }

    [Fact]
    public async Task Names_that_do_not_exist_are_held_like_names_that_do()
    {
        var node = Node();
        await FailFromAsync(node, 5, user: "no-such-user");
        Assert.Equal(TimeSpan.FromSeconds(1), (await BeginAsync(node, "192.0.2.1", "no-such-user")).Wait);
    }

    [Fact]
    public async Task While_the_store_is_away_this_nodes_failures_hold_the_name_and_reach_the_store_in_order_when_it_is_back()
    {
        var database = AccountDatabase.OpenSqlite(Path.Combine(_directory.FullName, "accounts.db"));
        _databases.Add(database);
        var stored = new SqlAccountFailureStore(database);
        var store = new AwayableFailureStore(stored) { Away = true };
        var node = new AccountThrottle(store, Policy, NetworkList.Empty, _time);
        await FailFromAsync(node, 5);

        // Not the longest delay for everyone (fail closed): the spacing of this node's own five failures.
        var held = await BeginAsync(node, "192.0.2.1");
        Assert.Equal(TimeSpan.FromSeconds(1), held.Wait);
        Assert.Equal(TimeSpan.Zero, (await BeginAsync(node, "198.51.100.1")).Wait);
        await node.SucceededAsync(held, _logs.CreateLogger("test"));
        Assert.DoesNotContain(_logs.Entries, entry => entry.EventId == 172 || entry.Level >= Microsoft.Extensions.Logging.LogLevel.Error);

        store.Away = false;
        Assert.Equal(5, await node.WriteBackAsync(CancellationToken.None));
        var written = await stored.RecentAsync("alice", "192.0.2.1", _time.GetUtcNow() - Policy.Window, CancellationToken.None);
        Assert.Equal((4, 0, 4), (written.Total, written.FromAddress, written.Addresses));
        Assert.Equal(0, await node.WriteBackAsync(CancellationToken.None));
    }

    private sealed class AwayableFailureStore(IAccountFailureStore store) : IAccountFailureStore
    {
        public bool Away { get; set; }

        public Task<AccountFailures> RecentAsync(string account, string address, DateTimeOffset since, CancellationToken cancellationToken) =>
            Away ? Unreachable<AccountFailures>() : store.RecentAsync(account, address, since, cancellationToken);

        public Task RecordAsync(string id, string account, string address, DateTimeOffset at, CancellationToken cancellationToken) =>
            Away ? Unreachable<int>() : store.RecordAsync(id, account, address, at, cancellationToken);

        public Task ForgiveAsync(string id, string account, string address, CancellationToken cancellationToken) =>
            Away ? Unreachable<int>() : store.ForgiveAsync(id, account, address, cancellationToken);

        public Task ForgetAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
            Away ? Unreachable<int>() : store.ForgetAsync(before, cancellationToken);

        private static Task<T> Unreachable<T>() => Task.FromException<T>(new StoreUnavailableException("test store", new TimeoutException("no answer")));
    }

    private AccountThrottle Node(NetworkList? exempt = null)
    {
        var database = AccountDatabase.OpenSqlite(Path.Combine(_directory.FullName, "accounts.db"));
        _databases.Add(database);
        return new AccountThrottle(new SqlAccountFailureStore(database), Policy, exempt ?? NetworkList.Empty, _time);
    }

    /// <summary>One wrong password from each of <paramref name="count"/> addresses 192.0.2.1, 192.0.2.2 and on.</summary>
    private async Task FailFromAsync(AccountThrottle node, int count, string user = "alice")
    {
        for (var i = 1; i <= count; i++)
        {
            var attempt = await BeginAsync(node, $"192.0.2.{i}", user);
            await node.FailedAsync(attempt, _logs.CreateLogger("test"));
        }

        _logs.Entries.Clear();
    }

    private Task<AccountAttempt> BeginAsync(AccountThrottle node, string address, string user = "alice") =>
        node.BeginAsync(user, IPAddress.Parse(address), _logs.CreateLogger("test"), CancellationToken.None);
}
