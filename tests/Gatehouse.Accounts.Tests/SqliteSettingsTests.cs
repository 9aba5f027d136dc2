namespace Gatehouse.Accounts.Tests;

/// <summary>The per-handle SQLite settings are made once per pooled handle; every later use must still have them.</summary>
public sealed class SqliteSettingsTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Every_use_of_a_pooled_connection_keeps_the_busy_timeout_and_normal_sync()
    {
        var database = _database.Open();
        for (var use = 0; use < 3; use++)
        {
            Assert.Equal(10_000L, await database.ScalarAsync("PRAGMA busy_timeout", CancellationToken.None));
            Assert.Equal(1L, await database.ScalarAsync("PRAGMA synchronous", CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_fresh_handle_after_the_pool_is_cleared_gets_the_settings_again()
    {
        var database = _database.Open();
        Assert.Equal(10_000L, await database.ScalarAsync("PRAGMA busy_timeout", CancellationToken.None));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(10_000L, await database.ScalarAsync("PRAGMA busy_timeout", CancellationToken.None));
        Assert.Equal(1L, await database.ScalarAsync("PRAGMA synchronous", CancellationToken.None));
    }
}
