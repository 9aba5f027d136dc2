using System.Diagnostics;
using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

/// <summary>A real PostgreSQL of its own, stopped and frozen under a node's store.</summary>
public sealed class PostgresOutageTests : IDisposable
{
    private readonly PostgresServer _server = new();

    [Fact]
    public async Task A_stopped_database_is_reported_unreachable_and_reachable_again_when_it_is_back()
    {
        using var database = AccountDatabase.OpenPostgres(_server.CreateDatabase());
        await database.ScalarAsync("SELECT 1", CancellationToken.None);

        _server.Stop();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => database.ScalarAsync("SELECT 1", CancellationToken.None));
        Assert.False(database.Reachability.IsReachable);

        _server.Start();
        await RetryAsync(() => database.ScalarAsync("SELECT 1", CancellationToken.None));
        Assert.True(database.Reachability.IsReachable);
    }

    [Fact]
    public async Task A_frozen_database_is_reported_unreachable_when_its_queries_time_out()
    {
        var connectionString = _server.CreateDatabase() + ";Timeout=2;Command Timeout=2";
        using var database = AccountDatabase.OpenPostgres(connectionString);
        await database.ScalarAsync("SELECT 1", CancellationToken.None);

        _server.Freeze();
        try
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => database.ScalarAsync("SELECT 1", CancellationToken.None));
            Assert.False(database.Reachability.IsReachable);
        }
        finally
        {
            _server.Thaw();
        }

        await RetryAsync(() => database.ScalarAsync("SELECT 1", CancellationToken.None));
        Assert.True(database.Reachability.IsReachable);
    }

    [Fact]
    public async Task After_a_restart_the_first_query_succeeds_on_a_fresh_connection()
    {
        using var database = AccountDatabase.OpenPostgres(_server.CreateDatabase());
        var store = new SqlAccountStore(database);
        Assert.True(await store.AddAsync(new Account("alice", "hash", "/srv/alice", true, DateTimeOffset.UtcNow, null), CancellationToken.None));

        // The pool still holds the connections the restart ended (57P01): a read, and a write, each try once more.
        _server.Stop();
        _server.Start();
        Assert.NotNull(await store.FindAsync("alice", CancellationToken.None));
        _server.Stop();
        _server.Start();
        Assert.True(await store.SetEnabledAsync("alice", false, CancellationToken.None));
        Assert.True(database.Reachability.IsReachable);
    }

    [Fact]
    public async Task A_frozen_database_costs_the_first_query_the_default_time_out_and_the_next_ones_nothing()
    {
        using var database = AccountDatabase.OpenPostgres(_server.CreateDatabase());
        await database.ScalarAsync("SELECT 1", CancellationToken.None);

        _server.Freeze();
        try
        {
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAsync<StoreUnavailableException>(() => database.ScalarAsync("SELECT 1", CancellationToken.None));
            var first = clock.Elapsed;
            clock.Restart();
            await Assert.ThrowsAsync<StoreUnavailableException>(() => database.ExecuteAsync("UPDATE usage SET bytes = 0", CancellationToken.None));
            var second = clock.Elapsed;

            Assert.InRange(first, TimeSpan.FromSeconds(AccountDatabase.DefaultPostgresTimeoutSeconds - 0.5), TimeSpan.FromSeconds(AccountDatabase.DefaultPostgresTimeoutSeconds + 1));
            Assert.True(second < TimeSpan.FromMilliseconds(200), $"the second query took {second.TotalMilliseconds:0} ms");
        }
        finally
        {
            _server.Thaw();
        }

        await RetryAsync(() => database.ScalarAsync("SELECT 1", CancellationToken.None));
        Assert.True(database.Reachability.IsReachable);
    }

    public void Dispose() => _server.Dispose();

    /// <summary>Pooled connections of the store's previous life fail once each before fresh ones are opened.</summary>
    private static async Task RetryAsync(Func<Task> query)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await query();
                return;
            }
            catch (StoreUnavailableException) when (attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }
}
