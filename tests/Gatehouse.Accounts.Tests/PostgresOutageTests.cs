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
