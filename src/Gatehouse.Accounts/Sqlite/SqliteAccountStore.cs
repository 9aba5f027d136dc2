using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Accounts.Sqlite;

/// <summary>The embedded account store: one SQLite file, schema versioned with PRAGMA user_version.</summary>
public sealed class SqliteAccountStore : IAccountStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE accounts (
            name TEXT NOT NULL PRIMARY KEY,
            password_hash TEXT NOT NULL,
            home_directory TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            last_login_at TEXT NULL
        );
        """,
    ];

    private readonly string _connectionString;

    public SqliteAccountStore(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
        Migrate();
    }

    public async Task<Account?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, password_hash, home_directory, enabled, created_at, last_login_at FROM accounts WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, password_hash, home_directory, enabled, created_at, last_login_at FROM accounts ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var accounts = new List<Account>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            accounts.Add(Read(reader));
        }

        return accounts;
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM accounts";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public async Task<bool> AddAsync(Account account, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO accounts (name, password_hash, home_directory, enabled, created_at)
            VALUES ($name, $hash, $home, $enabled, $created) ON CONFLICT(name) DO NOTHING
            """;
        command.Parameters.AddWithValue("$name", account.Name);
        command.Parameters.AddWithValue("$hash", account.PasswordHash);
        command.Parameters.AddWithValue("$home", account.HomeDirectory);
        command.Parameters.AddWithValue("$enabled", account.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$created", Format(account.CreatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) =>
        ExecuteForAccountAsync("DELETE FROM accounts WHERE name = $name", name, null, cancellationToken);

    public Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken) =>
        ExecuteForAccountAsync("UPDATE accounts SET password_hash = $value WHERE name = $name", name, passwordHash, cancellationToken);

    public Task<bool> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken) =>
        ExecuteForAccountAsync("UPDATE accounts SET enabled = $value WHERE name = $name", name, enabled ? 1 : 0, cancellationToken);

    public Task RecordLoginAsync(string name, DateTimeOffset time, CancellationToken cancellationToken) =>
        ExecuteForAccountAsync("UPDATE accounts SET last_login_at = $value WHERE name = $name", name, Format(time), cancellationToken);

    private async Task<bool> ExecuteForAccountAsync(string sql, string name, object? value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$name", name);
        if (value is not null)
        {
            command.Parameters.AddWithValue("$value", value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private void Migrate()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using (var wal = connection.CreateCommand())
        {
            // WAL lets the CLI change accounts while the server reads them.
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var versionCommand = connection.CreateCommand();
        versionCommand.Transaction = transaction;
        versionCommand.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(versionCommand.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (version > Migrations.Length)
        {
            throw new InvalidOperationException($"The account database has schema version {version}, newer than this Gatehouse understands ({Migrations.Length}). Upgrade Gatehouse.");
        }

        for (var next = version; next < Migrations.Length; next++)
        {
            using var migration = connection.CreateCommand();
            migration.Transaction = transaction;
            migration.CommandText = Migrations[next] + $"\nPRAGMA user_version = {next + 1};";
            migration.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static Account Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetInt32(3) != 0,
        Parse(reader.GetString(4)),
        reader.IsDBNull(5) ? null : Parse(reader.GetString(5)));

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
