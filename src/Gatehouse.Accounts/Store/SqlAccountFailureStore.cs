using Gatehouse.Accounts.Bans;

namespace Gatehouse.Accounts.Store;

public sealed class SqlAccountFailureStore(AccountDatabase database) : IAccountFailureStore
{
    public async Task<AccountFailures> RecentAsync(string account, string address, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(
            """
            SELECT COUNT(*), COALESCE(SUM(CASE WHEN address = @address THEN 1 ELSE 0 END), 0), COUNT(DISTINCT address), MAX(failed_at)
            FROM account_failures WHERE account = @account AND failed_at >= @since
            """,
            reader => new AccountFailures(
                Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                reader.IsDBNull(3) ? null : AccountDatabase.Parse(reader.GetString(3))),
            cancellationToken,
            ("@account", account),
            ("@address", address),
            ("@since", AccountDatabase.Format(since))).ConfigureAwait(false);
        return rows.Count == 0 ? AccountFailures.None : rows[0];
    }

    public Task RecordAsync(string id, string account, string address, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO account_failures (id, account, address, failed_at) VALUES (@id, @account, @address, @at)",
            cancellationToken,
            ("@id", id),
            ("@account", account),
            ("@address", address),
            ("@at", AccountDatabase.Format(at)));

    public Task ForgiveAsync(string id, string account, string address, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "DELETE FROM account_failures WHERE id = @id OR (account = @account AND address = @address)",
            cancellationToken,
            ("@id", id),
            ("@account", account),
            ("@address", address));

    public Task ForgetAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM account_failures WHERE failed_at < @before", cancellationToken, ("@before", AccountDatabase.Format(before)));
}
