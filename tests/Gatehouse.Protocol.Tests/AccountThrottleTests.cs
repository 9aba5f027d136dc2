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
