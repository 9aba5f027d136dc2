using System.Data.Common;
using System.Globalization;

namespace Gatehouse.Accounts.Store;

/// <summary>
/// The account store's database, SQLite (embedded, one node) or PostgreSQL (shared by a cluster): connections,
/// schema migrations at start-up and small query helpers. The stores' SQL is written once for both; parameters
/// are named <c>@name</c>, which both providers understand.
/// </summary>
public sealed class AccountDatabase : IDisposable
{
    private readonly DbDataSource _source;
    private readonly DatabaseDialect _dialect;

    private AccountDatabase(DatabaseDialect dialect, string connectionString, TimeProvider time)
    {
        _dialect = dialect;
        Reachability = new StoreReachability(time);
        _source = dialect.CreateDataSource(connectionString);
        try
        {
            Migrate();
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// PostgreSQL connections one node keeps at most, unless the connection string sets Maximum Pool Size. Npgsql's own default
    /// (100) equals PostgreSQL's default max_connections, so two nodes under a burst of logins exhausted the database
    /// server; with a bound, a burst queues briefly for a connection (up to the connection string's Timeout) instead.
    /// </summary>
    public const int DefaultPostgresPoolSize = 10;

    /// <summary>What the store runs on, as an operator would name it in a log line.</summary>
    public string Description => _dialect.Describe();

    public static AccountDatabase OpenSqlite(string databasePath, TimeProvider? time = null) =>
        new(new SqliteDialect(databasePath), SqliteDialect.ConnectionString(databasePath), time ?? TimeProvider.System);

    public static AccountDatabase OpenPostgres(string connectionString, TimeProvider? time = null) =>
        new(new PostgresDialect(connectionString), connectionString, time ?? TimeProvider.System);

    /// <summary>Whether the store answered the last query; every query below reports to it.</summary>
    public StoreReachability Reachability { get; }

    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, command => command.ExecuteNonQueryAsync(cancellationToken), cancellationToken);

    public Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, command => command.ExecuteScalarAsync(cancellationToken), cancellationToken);

    public Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, async command =>
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(map(reader));
            }

            return rows;
        }, cancellationToken);

    /// <summary>Times are stored as ISO 8601 text in UTC, which sorts in time order in both databases.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public void Dispose() => _source.Dispose();

    private static DbCommand Prepare(DbConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>
    /// Runs one statement on a connection of the pool. A failure that means the store is away is reported to
    /// <see cref="Reachability"/> and thrown as <see cref="StoreUnavailableException"/>; any answer reports it back.
    /// </summary>
    private async Task<T> RunAsync<T>(string sql, (string Name, object? Value)[] parameters, Func<DbCommand, Task<T>> run, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Prepare(connection, sql, parameters);
            var result = await run(command).ConfigureAwait(false);
            Reachability.ReportAnswered();
            return result;
        }
        catch (Exception ex) when (ex is not StoreUnavailableException && StoreReachability.IsOutage(ex))
        {
            Reachability.ReportUnreachable(ex);
            throw new StoreUnavailableException(Description, ex);
        }
        catch (DbException)
        {
            // The store answered, with an error about the statement.
            Reachability.ReportAnswered();
            throw;
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        _dialect.Prepare(connection);
        return connection;
    }

    private void Migrate()
    {
        using var connection = _source.OpenConnection();
        _dialect.Prepare(connection);
        _dialect.BeforeMigrations(connection);
        using var transaction = connection.BeginTransaction();
        // Two nodes starting at once: the second waits here until the first has committed, then finds nothing to do.
        _dialect.LockForMigration(connection, transaction);
        var version = _dialect.ReadVersion(connection, transaction);
        var migrations = _dialect.Migrations;
        if (version > migrations.Count)
        {
            throw new InvalidOperationException($"The account database ({Description}) has schema version {version}, newer than this Gatehouse understands ({migrations.Count}). Upgrade Gatehouse.");
        }

        for (var next = version; next < migrations.Count; next++)
        {
            using var migration = connection.CreateCommand();
            migration.Transaction = transaction;
            migration.CommandText = migrations[next] + "\n" + _dialect.SetVersion(next + 1);
            migration.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
