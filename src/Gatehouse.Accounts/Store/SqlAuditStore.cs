using System.Data.Common;
using Gatehouse.Accounts.Audit;

namespace Gatehouse.Accounts.Store;

/// <summary>The audit_log table; the database refuses UPDATE and DELETE on it (a trigger from the schema).</summary>
public sealed class SqlAuditStore(AccountDatabase database) : IAuditStore
{
    private const string Columns = "sequence, at, actor, origin, action, target, before_value, after_value, previous_hash, hash";

    public async Task<AuditEntry?> LastAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {Columns} FROM audit_log ORDER BY sequence DESC LIMIT 1", Read, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public async Task<bool> TryAppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            $"""
            INSERT INTO audit_log ({Columns}) VALUES (@sequence, @at, @actor, @origin, @action, @target, @before, @after, @previous, @hash)
            ON CONFLICT (sequence) DO NOTHING
            """,
            cancellationToken,
            ("@sequence", entry.Sequence),
            ("@at", AccountDatabase.Format(entry.At)),
            ("@actor", entry.Actor),
            ("@origin", entry.Origin),
            ("@action", entry.Action),
            ("@target", entry.Target),
            ("@before", entry.Before),
            ("@after", entry.After),
            ("@previous", entry.PreviousHash),
            ("@hash", entry.Hash)).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(long after, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            $"SELECT {Columns} FROM audit_log WHERE sequence > @after ORDER BY sequence LIMIT @limit", Read, cancellationToken, ("@after", after), ("@limit", limit)).ConfigureAwait(false);

    public async Task<long> CountAsync(IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (actions.Count == 0)
        {
            return 0;
        }

        // Times are stored in the round-trip format of UTC ("O"), whose text sorts as the time does.
        (string, object?)[] parameters = [("@since", AccountDatabase.Format(since)), .. actions.Select((action, index) => ($"@action{index}", (object?)action))];
        var count = await database.ScalarAsync(
            $"SELECT COUNT(*) FROM audit_log WHERE at >= @since AND action IN ({string.Join(", ", actions.Select((_, index) => $"@action{index}"))})",
            cancellationToken, parameters).ConfigureAwait(false);
        return Convert.ToInt64(count ?? 0, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static AuditEntry Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        AccountDatabase.Parse(reader.GetString(1)),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.GetString(8),
        reader.GetString(9));
}
