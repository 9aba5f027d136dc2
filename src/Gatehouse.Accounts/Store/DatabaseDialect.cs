using System.Data.Common;
using System.Globalization;

namespace Gatehouse.Accounts.Store;

/// <summary>What differs between the databases the account store runs on: connections, schema versions and migration locking.</summary>
internal abstract class DatabaseDialect
{
    public abstract IReadOnlyList<string> Migrations { get; }

    public abstract DbDataSource CreateDataSource(string connectionString);

    public abstract string Describe();

    /// <summary>
    /// Migrations and the wait for another node's migrations run at start-up, where a slow step is no outage: they are
    /// not held to the short time-outs of the bookkeeping.
    /// </summary>
    public const int MigrationTimeoutSeconds = 600;

    /// <summary>How long a read may wait for its answer before the store counts as away; null: as long as the driver waits.</summary>
    public virtual TimeSpan? ReadDeadline => null;

    /// <summary>Closes the pooled connections, after one of them turned out dead (the database restarted).</summary>
    public virtual void ClearPool(DbDataSource source)
    {
    }

    /// <summary>Runs on every connection as it is opened.</summary>
    public virtual void Prepare(DbConnection connection)
    {
    }

    /// <summary>Settings that cannot be changed inside a transaction.</summary>
    public virtual void BeforeMigrations(DbConnection connection)
    {
    }

    /// <summary>
    /// SQL that, run first in a statement batch, holds the same batch on other connections off until it ends; null where
    /// the database runs one writing statement at a time anyway.
    /// </summary>
    public virtual string? ExclusiveLock(long key) => null;

    /// <summary>Holds other processes off the schema until <paramref name="transaction"/> ends.</summary>
    public abstract void LockForMigration(DbConnection connection, DbTransaction transaction);

    public abstract int ReadVersion(DbConnection connection, DbTransaction transaction);

    /// <summary>SQL that records <paramref name="version"/>, run in the same statement batch as the migration.</summary>
    public abstract string SetVersion(int version);

    protected static object? Scalar(DbConnection connection, DbTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = MigrationTimeoutSeconds;
        return command.ExecuteScalar();
    }

    protected static int ToInt(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);
}
