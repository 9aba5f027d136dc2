using System.Collections.Concurrent;
using Gatehouse.Protocol.Logging;
using Gatehouse.Storage.Quotas;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Access;

/// <summary>
/// One ledger per storage area for the whole server, so all sessions of a user (and all users of a folder) share
/// it. Disposing saves what the ledgers have not yet written to the store.
/// </summary>
public sealed class QuotaLedgers(IUsageStore store, ILogger<QuotaLedgers>? logger = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, QuotaLedger> _ledgers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = logger ?? NullLogger<QuotaLedgers>.Instance;

    public static string HomeArea(string user) => "user:" + user;

    public static string FolderArea(string folder) => "folder:" + folder;

    /// <summary>Records a change made outside any session (retention), in the live ledger if there is one.</summary>
    public Task RecordAsync(string area, StorageUsage change, CancellationToken cancellationToken)
    {
        if (!_ledgers.TryGetValue(area, out var ledger))
        {
            return store.AddAsync(area, change, cancellationToken);
        }

        ledger.Record(change);
        return Task.CompletedTask;
    }

    public QuotaLedger For(string area, string description, string realPath) =>
        _ledgers.GetOrAdd(area, _ => new QuotaLedger(area, description, () => UsageScanner.Scan(realPath), store,
            saveFailed: (ledger, failure) => Log.UsageSaveFailed(_logger, ledger.Area, failure.Message)));

    /// <summary>At shutdown: what a ledger cannot save now is lost from the store, and the log says how much.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var ledger in _ledgers.Values)
        {
            try
            {
                await ledger.SaveAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception failure)
            {
                var lost = ledger.Unsaved;
                Log.UsageLostAtShutdown(_logger, ledger.Area, lost.Bytes, lost.Files, failure.Message);
            }
        }
    }
}
