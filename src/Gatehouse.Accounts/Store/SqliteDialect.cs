using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Accounts.Store;

/// <summary>The embedded store: one SQLite file next to the server's data, schema version in PRAGMA user_version.</summary>
internal sealed class SqliteDialect(string databasePath) : DatabaseDialect
{
    private const int CommandTimeoutSeconds = 10;

    private static readonly ConditionalWeakTable<object, object> PreparedHandles = new();

    public override IReadOnlyList<string> Migrations { get; } = AccountSchema.Migrations(bigInteger: "INTEGER", numberedKey: "INTEGER PRIMARY KEY AUTOINCREMENT", appendOnly: table => $"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
        """);

    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = CommandTimeoutSeconds,
        ForeignKeys = true,
    }.ToString();

    public override DbDataSource CreateDataSource(string connectionString) => SqliteFactory.Instance.CreateDataSource(connectionString);

    public override string Describe() => $"SQLite {databasePath}";

    public override void Prepare(DbConnection connection)
    {
        // SQLite's own busy handler waits for the writer lock in steps of a few milliseconds; without it the
        // provider retries a busy statement only every 150 ms, which put concurrent logins 150-600 ms apart.
        // synchronous=NORMAL: in WAL mode a commit no longer waits for an fsync of the log (a crash of the server
        // loses nothing; a power cut can lose the last commits before a checkpoint, never the database). Without
        // it every upload waited for the disk twice, once for the file and once for its quota usage.
        // Both settings belong to the SQLite handle, which the provider's pool keeps open between uses: set once
        // per handle, not on every query (two statements more for each of a login's reads).
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && PreparedHandles.TryGetValue(handle, out _))
        {
            return;
        }

        Scalar(connection, null, $"PRAGMA busy_timeout={CommandTimeoutSeconds * 1000}; PRAGMA synchronous=NORMAL;");
        if (handle is not null)
        {
            PreparedHandles.AddOrUpdate(handle, handle);
        }
    }

    // WAL lets the CLI change accounts while the server reads them.
    public override void BeforeMigrations(DbConnection connection) => Scalar(connection, null, "PRAGMA journal_mode=WAL;");

    // Microsoft.Data.Sqlite begins transactions IMMEDIATE: the write lock is already held.
    public override void LockForMigration(DbConnection connection, DbTransaction transaction)
    {
    }

    public override int ReadVersion(DbConnection connection, DbTransaction transaction) => ToInt(Scalar(connection, transaction, "PRAGMA user_version"));

    public override string SetVersion(int version) => $"PRAGMA user_version = {version};";
}
