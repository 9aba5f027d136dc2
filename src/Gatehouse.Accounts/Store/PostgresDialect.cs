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

    public override IReadOnlyList<string> Migrations { get; } = AccountSchema.Migrations(bigInteger: "BIGINT", appendOnly: table => $"""
        CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$;
        CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();
        """);

    public override DbDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!SetsPoolSize(connectionString))
        {
            builder.MaxPoolSize = AccountDatabase.DefaultPostgresPoolSize;
        }

        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override string Describe()
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }

    private static bool SetsPoolSize(string connectionString)
    {
        // Npgsql's builder reports every keyword it knows, set or not; the generic builder holds only what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return written.ContainsKey("Maximum Pool Size");
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
