using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

/// <summary>
/// The database a store test runs against. Store tests are written once, in abstract classes, and run on both:
/// SQLite in a temporary directory and a fresh database on a real PostgreSQL server.
/// </summary>
public abstract class TestDatabase : IDisposable
{
    private readonly List<AccountDatabase> _opened = [];

    /// <summary>Opens the database (again): a second call is what another process or node sees.</summary>
    /// <param name="time">The clock that times the store's outages (<see cref="AccountDatabase.Reachability"/>).</param>
    public AccountDatabase Open(TimeProvider? time = null)
    {
        var database = OpenNew(time);
        lock (_opened)
        {
            _opened.Add(database);
        }

        return database;
    }

    public virtual void Dispose()
    {
        foreach (var database in _opened)
        {
            database.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    protected abstract AccountDatabase OpenNew(TimeProvider? time);
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gatehouse-accounts-");

    public string Path => System.IO.Path.Combine(_directory.FullName, "accounts.db");

    public override void Dispose()
    {
        base.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    protected override AccountDatabase OpenNew(TimeProvider? time) => AccountDatabase.OpenSqlite(Path, time);
}

public sealed class PostgresTestDatabase(PostgresServer server) : TestDatabase
{
    public string ConnectionString { get; } = server.CreateDatabase();

    protected override AccountDatabase OpenNew(TimeProvider? time) => AccountDatabase.OpenPostgres(ConnectionString, time);
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
