using System.Data.Common;
using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gatehouse.Accounts.Tests;

/// <summary>What only the shared store has to prove: nodes that start together, and the same schema as SQLite.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServer server)
{
    [Fact]
    public async Task Nodes_starting_at_the_same_moment_migrate_the_schema_once()
    {
        var connectionString = server.CreateDatabase();
        using var start = new Barrier(4);
        var nodes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            return AccountDatabase.OpenPostgres(connectionString);
        })));

        try
        {
            var stores = nodes.Select(node => new SqlAccountStore(node)).ToArray();
            Assert.True(await stores[0].AddAsync(new Account("alice", "hash", "/srv/alice", true, DateTimeOffset.UtcNow, null), CancellationToken.None));
            Assert.All(await Task.WhenAll(stores.Select(store => store.CountAsync(CancellationToken.None))), count => Assert.Equal(1, count));
            Assert.Equal(
                [SqliteSchemaVersion()],
                await QueryAsync<int>(new NpgsqlConnection(connectionString), "SELECT version FROM gatehouse_schema"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_schema_has_the_same_tables_and_columns_as_sqlite()
    {
        var connectionString = server.CreateDatabase();
        AccountDatabase.OpenPostgres(connectionString).Dispose();
        using var sqlite = new SqliteTestDatabase();
        sqlite.Open();

        var postgresColumns = await QueryAsync<string>(
            new NpgsqlConnection(connectionString),
            "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'gatehouse_schema'");
        var sqliteColumns = await QueryAsync<string>(
            new SqliteConnection($"Data Source={sqlite.Path}"),
            // sqlite_sequence is SQLite's own note of AUTOINCREMENT keys, which PostgreSQL keeps in its identity columns.
            "SELECT m.name || '.' || c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name <> 'sqlite_sequence'");

        Assert.NotEmpty(sqliteColumns);
        Assert.Equal(sqliteColumns.Order(StringComparer.Ordinal), postgresColumns.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_database_from_a_newer_gatehouse_is_refused_with_the_fix()
    {
        var connectionString = server.CreateDatabase();
        AccountDatabase.OpenPostgres(connectionString).Dispose();
        await QueryAsync<int>(new NpgsqlConnection(connectionString), "UPDATE gatehouse_schema SET version = 99 RETURNING version");

        var refused = Assert.Throws<InvalidOperationException>(() => AccountDatabase.OpenPostgres(connectionString));
        Assert.Contains("schema version 99, newer than this Gatehouse understands", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade Gatehouse", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", AccountDatabase.DefaultPostgresPoolSize)]
    [InlineData(";Maximum Pool Size=3", 3)]
    [InlineData(";MAXIMUM POOL SIZE=4", 4)]
    public async Task A_burst_of_lookups_queues_for_a_bounded_number_of_connections(string poolSetting, int bound)
    {
        var connectionString = server.CreateDatabase();
        using var node = AccountDatabase.OpenPostgres(connectionString + poolSetting);
        var store = new SqlAccountStore(node);
        Assert.True(await store.AddAsync(new Account("alice", "hash", "/srv/alice", true, DateTimeOffset.UtcNow, null), CancellationToken.None));

        // Slow queries, 200 at once: without a bound each would hold its own server connection at the same moment.
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            node.ScalarAsync("SELECT pg_sleep(0.02)", CancellationToken.None)));

        // Idle pooled connections stay open (for minutes), so the count now is the most the burst opened at once.
        var opened = await QueryAsync<long>(
            new NpgsqlConnection(connectionString),
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        Assert.InRange(opened[0], 2, bound);
    }

    private static int SqliteSchemaVersion()
    {
        using var sqlite = new SqliteTestDatabase();
        sqlite.Open();
        using var connection = new SqliteConnection($"Data Source={sqlite.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<T>> QueryAsync<T>(DbConnection connection, string sql)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetFieldValue<T>(0));
            }

            return rows;
        }
    }
}
