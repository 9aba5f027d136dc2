using Gatehouse.Accounts.Bans;

namespace Gatehouse.Accounts.Store;

public sealed class SqlBanStore(AccountDatabase database) : IBanStore
{
    public async Task<IReadOnlyList<BanRecord>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT address, banned_until, offences, reason, last_offence_at FROM bans ORDER BY banned_until DESC",
            reader => new BanRecord(reader.GetString(0), AccountDatabase.Parse(reader.GetString(1)), reader.GetInt32(2), reader.GetString(3), AccountDatabase.Parse(reader.GetString(4))),
            cancellationToken).ConfigureAwait(false);

    public Task SaveAsync(BanRecord ban, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            INSERT INTO bans (address, banned_until, offences, reason, last_offence_at) VALUES (@address, @until, @offences, @reason, @last)
            ON CONFLICT (address) DO UPDATE SET banned_until = excluded.banned_until, offences = excluded.offences, reason = excluded.reason, last_offence_at = excluded.last_offence_at
            """,
            cancellationToken,
            ("@address", ban.Address),
            ("@until", AccountDatabase.Format(ban.BannedUntil)),
            ("@offences", ban.Offences),
            ("@reason", ban.Reason),
            ("@last", AccountDatabase.Format(ban.LastOffenceAt)));

    public async Task<bool> RemoveAsync(string address, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM bans WHERE address = @address", cancellationToken, ("@address", address)).ConfigureAwait(false) == 1;
}
