using System.Collections.Concurrent;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Protocol.Access;

/// <summary>One ledger per storage area for the whole server, so all sessions of a user (and all users of a folder) share it.</summary>
public sealed class QuotaLedgers(IUsageStore store)
{
    private readonly ConcurrentDictionary<string, QuotaLedger> _ledgers = new(StringComparer.Ordinal);

    public static string HomeArea(string user) => "user:" + user;

    public static string FolderArea(string folder) => "folder:" + folder;

    /// <summary>Records a change made outside any session (retention), in the live ledger if there is one.</summary>
    public Task RecordAsync(string area, StorageUsage change, CancellationToken cancellationToken) =>
        _ledgers.TryGetValue(area, out var ledger)
            ? ledger.RecordAsync(change, cancellationToken)
            : store.AddAsync(area, change, cancellationToken);

    public QuotaLedger For(string area, string description, string realPath) =>
        _ledgers.GetOrAdd(area, _ => new QuotaLedger(area, description, () => UsageScanner.Scan(realPath), store));
}
