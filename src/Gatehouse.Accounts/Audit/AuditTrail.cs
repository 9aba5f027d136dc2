namespace Gatehouse.Accounts.Audit;

/// <summary>The result of <see cref="AuditTrail.VerifyAsync"/>: how many records were checked, the last hash, and the first problem.</summary>
public sealed record AuditVerification(long Records, string LastHash, string? Problem);

/// <summary>
/// Records administrative changes as a hash chain in the audit table, and checks the chain. The CLI and the admin API
/// record through this one class. Removing the newest records leaves a shorter chain that is still valid: keep the
/// last hash <c>gatehouse audit verify</c> prints (or an export) elsewhere to detect that too.
/// The last record this process appended is remembered, so that a record (an FTP login is one) normally costs one
/// INSERT; when another process or node appended meanwhile, the INSERT finds its sequence taken and the last record
/// is read again.
/// </summary>
public sealed class AuditTrail(IAuditStore store, TimeProvider time)
{
    private const int Page = 500;
    private const int MaxAttempts = 20;

    private readonly SemaphoreSlim _append = new(1, 1);
    private AuditEntry? _last;

    public Task<AuditEntry> RecordAsync(AuditActor actor, string action, string target, string? before, string? after, CancellationToken cancellationToken) =>
        RecordAsync(actor, action, target, before, after, time.GetUtcNow(), cancellationToken);

    /// <param name="at">When it happened: earlier than now for a record kept while the store was unreachable.</param>
    public async Task<AuditEntry> RecordAsync(AuditActor actor, string action, string target, string? before, string? after, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _append.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var last = _last ?? await store.LastAsync(cancellationToken).ConfigureAwait(false);
                var entry = new AuditEntry((last?.Sequence ?? 0) + 1, at, actor.Who, actor.From, action, target, before, after, last?.Hash ?? AuditEntry.Genesis, string.Empty);
                entry = entry with { Hash = entry.ComputeHash() };
                _last = null;
                if (await store.TryAppendAsync(entry, cancellationToken).ConfigureAwait(false))
                {
                    _last = entry;
                    return entry;
                }

                if (attempt == MaxAttempts)
                {
                    throw new InvalidOperationException($"Could not append to the audit trail: {MaxAttempts} other writers took the next record first.");
                }
            }
        }
        finally
        {
            _append.Release();
        }
    }

    /// <summary>The newest <paramref name="count"/> records, newest first (the web admin's audit page).</summary>
    /// <summary>How many records of these actions happened at or after <paramref name="since"/>: the dashboard's counters.</summary>
    public Task<long> CountAsync(IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken cancellationToken) =>
        store.CountAsync(actions, since, cancellationToken);

    public async Task<IReadOnlyList<AuditEntry>> ReadLatestAsync(int count, CancellationToken cancellationToken)
    {
        var last = await store.LastAsync(cancellationToken).ConfigureAwait(false);
        if (last is null)
        {
            return [];
        }

        var page = await store.ReadAsync(Math.Max(0, last.Sequence - count), count, cancellationToken).ConfigureAwait(false);
        return [.. page.Reverse()];
    }

    public async IAsyncEnumerable<AuditEntry> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = 0L;
        while (true)
        {
            var page = await store.ReadAsync(after, Page, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page)
            {
                yield return entry;
            }

            if (page.Count < Page)
            {
                yield break;
            }

            after = page[^1].Sequence;
        }
    }

    /// <summary>Walks the chain from the first record: numbering without gaps, each hash matching its record, each link matching the record before.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var (count, previous) = (0L, AuditEntry.Genesis);
        await foreach (var entry in ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var expected = count + 1;
            string? problem = null;
            if (entry.Sequence != expected)
            {
                problem = $"record {expected}{(entry.Sequence > expected + 1 ? $" to {entry.Sequence - 1}" : string.Empty)} is missing: the trail goes from record {count} to record {entry.Sequence}";
            }
            else if (entry.ComputeHash() != entry.Hash)
            {
                problem = $"record {entry.Sequence} ({entry.At:u}, {entry.Action} {entry.Target}) was altered: its content does not match its hash";
            }
            else if (entry.PreviousHash != previous)
            {
                problem = $"record {entry.Sequence} does not follow record {count}: a record before it was replaced";
            }

            if (problem is not null)
            {
                return new AuditVerification(count, previous, problem);
            }

            (count, previous) = (entry.Sequence, entry.Hash);
        }

        return new AuditVerification(count, previous, null);
    }
}
