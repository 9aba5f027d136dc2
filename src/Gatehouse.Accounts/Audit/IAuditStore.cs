namespace Gatehouse.Accounts.Audit;

/// <summary>The append-only audit table: records are added at the end and read in order, never changed.</summary>
public interface IAuditStore
{
    Task<AuditEntry?> LastAsync(CancellationToken cancellationToken);

    /// <returns>False when another writer took <see cref="AuditEntry.Sequence"/> first; read the last record again and retry.</returns>
    Task<bool> TryAppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> records with a sequence above <paramref name="after"/>, in order.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAsync(long after, int limit, CancellationToken cancellationToken);

    /// <summary>How many records of these actions happened at or after <paramref name="since"/> (the time of the event, not of the write).</summary>
    Task<long> CountAsync(IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken cancellationToken);
}
