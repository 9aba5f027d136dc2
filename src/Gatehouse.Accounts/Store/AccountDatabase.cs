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
    private const long ProbeIntervalMilliseconds = 1000;
    private long _lastProbeTicks = long.MinValue / 2;
    private int _probing;

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

    /// <summary>
    /// Seconds to open a PostgreSQL connection and to run a statement, unless the connection string sets Timeout or
    /// Command Timeout. Npgsql's own (15 and 30 s) made a frozen database cost an upload a minute; the store's statements
    /// are small, and a store that has not answered in this time is treated as away (what depends on it carries on).
    /// </summary>
    public const int DefaultPostgresTimeoutSeconds = 5;

    /// <summary>What the store runs on, as an operator would name it in a log line.</summary>
    public string Description => _dialect.Describe();

    public static AccountDatabase OpenSqlite(string databasePath, TimeProvider? time = null) =>
        new(new SqliteDialect(databasePath), SqliteDialect.ConnectionString(databasePath), time ?? TimeProvider.System);

    public static AccountDatabase OpenPostgres(string connectionString, TimeProvider? time = null) =>
        new(new PostgresDialect(connectionString), connectionString, time ?? TimeProvider.System);

    /// <summary>Whether the store answered the last query; every query below reports to it.</summary>
    public StoreReachability Reachability { get; }

    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, command => command.ExecuteNonQueryAsync(cancellationToken), isRead: false, cancellationToken);

    /// <summary>For reads only (it may be sent twice when the connection fails).</summary>
    public Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, command => command.ExecuteScalarAsync(cancellationToken), isRead: true, cancellationToken);

    public Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, command => ReadRowsAsync(command, map, skipResults: 0, cancellationToken), isRead: true, cancellationToken);

    /// <summary>A write that returns rows (UPDATE … RETURNING): like <see cref="ExecuteAsync"/>, sent again only where that cannot apply it twice.</summary>
    public Task<List<T>> QueryWriteAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, parameters, command => ReadRowsAsync(command, map, skipResults: 0, cancellationToken), isRead: false, cancellationToken);

    /// <summary>
    /// For a statement that writes rows chosen by what it reads of others (the claim of a rule's next deliveries): it
    /// runs on one connection at a time across every node sharing the database, so that two never choose from the same
    /// rows. <paramref name="lockKey"/> names the statement.
    /// </summary>
    public Task<List<T>> QueryExclusiveAsync<T>(long lockKey, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var exclusive = _dialect.ExclusiveLock(lockKey);
        return exclusive is null
            ? QueryAsync(sql, map, cancellationToken, parameters)
            : RunAsync(exclusive + "\n" + sql, parameters, command => ReadRowsAsync(command, map, skipResults: 1, cancellationToken), isRead: true, cancellationToken);
    }

    private static async Task<List<T>> ReadRowsAsync<T>(DbCommand command, Func<DbDataReader, T> map, int skipResults, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        for (var skipped = 0; skipped < skipResults; skipped++)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

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
    /// A connection the database closed (a restart ends every session with 57P01, and the pool still holds them) is
    /// expected, so such a failure is tried once more on a fresh connection, where that cannot apply the statement twice.
    /// While the store is away, a read is sent at most about once a second, as a probe (bounded by the read deadline),
    /// and every other statement fails at once, so that a database that does not answer costs the node one time-out at a
    /// time, not one per query; writes wait for a read to find the store back (the outage monitor reads every few seconds).
    /// </summary>
    private async Task<T> RunAsync<T>(string sql, (string Name, object? Value)[] parameters, Func<DbCommand, Task<T>> run, bool isRead, CancellationToken cancellationToken)
    {
        var probing = false;
        if (!Reachability.IsReachable && !(isRead && (probing = TryStartProbe())))
        {
            throw new StoreUnavailableException(Description, $"unreachable since {Reachability.UnreachableSince:u}: {Reachability.Failure}");
        }

        try
        {
            var attempts = RunAttemptsAsync(sql, parameters, run, isRead, cancellationToken);
            if (!isRead || _dialect.ReadDeadline is not { } deadline)
            {
                return await attempts.ConfigureAwait(false);
            }

            try
            {
                return await attempts.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                // The driver adds its cancellation's own waits to a time-out (three times the time-outs with a frozen server);
                // a read is safe to leave behind: it ends in the background, still reporting what the store said.
                _ = attempts.ContinueWith(static task => task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                Volatile.Write(ref _lastProbeTicks, Environment.TickCount64);
                Reachability.ReportUnreachable(ex);
                throw new StoreUnavailableException(Description, $"no answer within {deadline.TotalSeconds:0} s");
            }
        }
        finally
        {
            if (probing)
            {
                Volatile.Write(ref _lastProbeTicks, Environment.TickCount64);
                Volatile.Write(ref _probing, 0);
            }
        }
    }

    private async Task<T> RunAttemptsAsync<T>(string sql, (string Name, object? Value)[] parameters, Func<DbCommand, Task<T>> run, bool isRead, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var opened = false;
            try
            {
                await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                opened = true;
                await using var command = Prepare(connection, sql, parameters);
                var result = await run(command).ConfigureAwait(false);
                Reachability.ReportAnswered();
                return result;
            }
            catch (Exception ex) when (ex is not StoreUnavailableException && StoreReachability.IsOutage(ex))
            {
                if (attempt == 1 && !cancellationToken.IsCancellationRequested && IsSafeToRetry(ex, isRead, opened))
                {
                    _dialect.ClearPool(_source);
                    continue;
                }

                // This failure was the store's latest answer: the next statement waits a probe interval from it.
                Volatile.Write(ref _lastProbeTicks, Environment.TickCount64);
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
    }

    /// <summary>
    /// Whether a second try cannot apply the statement twice: it never reached the database (no connection), or the
    /// database itself ended the session (its whole statement batch, one implicit transaction, is then rolled back), or it
    /// only reads. A time-out is not tried again: the database is slow or frozen, and a second wait would double the cost.
    /// </summary>
    private static bool IsSafeToRetry(Exception error, bool isRead, bool opened)
    {
        for (var inner = error; inner is not null; inner = inner.InnerException)
        {
            if (inner is TimeoutException)
            {
                return false;
            }
        }

        return !opened || isRead || error is Npgsql.PostgresException;
    }

    /// <summary>One read at a time, at most about once a second, asks a store that is away whether it is back.</summary>
    private bool TryStartProbe() =>
        Environment.TickCount64 - Volatile.Read(ref _lastProbeTicks) >= ProbeIntervalMilliseconds
        && Interlocked.CompareExchange(ref _probing, 1, 0) == 0;

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
            migration.CommandTimeout = DatabaseDialect.MigrationTimeoutSeconds;
            migration.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
