using System.Data.Common;
using Npgsql;

namespace Gatehouse.Accounts.Store;

/// <summary>
/// The shared store of a cluster: a PostgreSQL database, schema version in a one-row table. Migrations run under a
/// transaction-scoped advisory lock, so nodes that start at the same moment apply each step once, one after the other.
/// </summary>
internal sealed class PostgresDialect(string connectionString) : DatabaseDialect
{
    // Any constant shared by all nodes; chosen so it is unlikely to collide with another application's advisory locks.
    private const long MigrationLockKey = 0x4761_7465_686F_7573;

    public override IReadOnlyList<string> Migrations { get; } = AccountSchema.Migrations(bigInteger: "BIGINT");

    private TimeSpan? _readDeadline;

    public override DbDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Sets(connectionString, "Maximum Pool Size"))
        {
            builder.MaxPoolSize = AccountDatabase.DefaultPostgresPoolSize;
        }

        if (!Sets(connectionString, "Timeout"))
        {
            builder.Timeout = AccountDatabase.DefaultPostgresTimeoutSeconds;
        }

        if (!Sets(connectionString, "Command Timeout"))
        {
            builder.CommandTimeout = AccountDatabase.DefaultPostgresTimeoutSeconds;
        }

        _readDeadline = builder.CommandTimeout > 0 ? TimeSpan.FromSeconds(builder.CommandTimeout) : null;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override string Describe()
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }

    public override TimeSpan? ReadDeadline => _readDeadline;

    public override void ClearPool(DbDataSource source) => ((NpgsqlDataSource)source).Clear();

    private static bool Sets(string connectionString, string keyword)
    {
        // Npgsql's builder reports every keyword it knows, set or not, but writes out only those set, under their
        // canonical names (CommandTimeout and Command Timeout alike); the generic builder then tells what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = new NpgsqlConnectionStringBuilder(connectionString).ConnectionString };
        return written.ContainsKey(keyword);
    }

    public override void LockForMigration(DbConnection connection, DbTransaction transaction)
    {
        Scalar(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})");
        Scalar(connection, transaction, "CREATE TABLE IF NOT EXISTS gatehouse_schema (version INTEGER NOT NULL)");
    }

    public override int ReadVersion(DbConnection connection, DbTransaction transaction) =>
        ToInt(Scalar(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM gatehouse_schema"));

    public override string SetVersion(int version) => $"DELETE FROM gatehouse_schema; INSERT INTO gatehouse_schema (version) VALUES ({version});";
}
