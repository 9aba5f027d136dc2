using System.Data.Common;
using System.Globalization;

namespace Gatehouse.Accounts.Store;

public sealed class SqlAccountStore(AccountDatabase database) : IAccountStore
{
    private const string Columns = "name, password_hash, home_directory, enabled, created_at, last_login_at, source";

    public async Task<Account?> FindAsync(string name, CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {Columns} FROM accounts WHERE name = @name", Read, cancellationToken, ("@name", name)).ConfigureAwait(false))
        .FirstOrDefault();

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM accounts ORDER BY name", Read, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Account>> ListLoggedInSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM accounts WHERE last_login_at >= @since", Read, cancellationToken, ("@since", AccountDatabase.Format(since)))
            .ConfigureAwait(false);

    public async Task<int> CountAsync(CancellationToken cancellationToken) =>
        Convert.ToInt32(await database.ScalarAsync("SELECT COUNT(*) FROM accounts", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

    public async Task<bool> AddAsync(Account account, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            INSERT INTO accounts (name, password_hash, home_directory, enabled, created_at, source)
            VALUES (@name, @hash, @home, @enabled, @created, @source) ON CONFLICT(name) DO NOTHING
            """,
            cancellationToken,
            ("@name", account.Name),
            ("@hash", account.PasswordHash),
            ("@home", account.HomeDirectory),
            ("@enabled", account.Enabled ? 1 : 0),
            ("@created", AccountDatabase.Format(account.CreatedAt)),
            ("@source", account.Source)).ConfigureAwait(false) == 1;

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var removed = await database.ExecuteAsync("DELETE FROM accounts WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) == 1;
        if (removed)
        {
            await SqlAccessStore.RemoveOwnedAsync(database, Access.Owner.User(name), cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    public Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE accounts SET password_hash = @value WHERE name = @name", name, passwordHash, cancellationToken);

    public Task<bool> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE accounts SET enabled = @value WHERE name = @name", name, enabled ? 1 : 0, cancellationToken);

    public Task<bool> SetHomeDirectoryAsync(string name, string homeDirectory, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE accounts SET home_directory = @value WHERE name = @name", name, homeDirectory, cancellationToken);

    public Task RecordLoginAsync(string name, DateTimeOffset time, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE accounts SET last_login_at = @value WHERE name = @name", name, AccountDatabase.Format(time), cancellationToken);

    private async Task<bool> UpdateAsync(string sql, string name, object? value, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(sql, cancellationToken, ("@name", name), ("@value", value)).ConfigureAwait(false) == 1;

    private static Account Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetInt32(3) != 0,
        AccountDatabase.Parse(reader.GetString(4)),
        reader.IsDBNull(5) ? null : AccountDatabase.Parse(reader.GetString(5)),
        reader.GetString(6));
}
