using System.Collections.Concurrent;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Gatehouse.Storage.Quotas;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Access;

/// <summary>
/// One ledger per storage area for the whole server, so all sessions of a user (and all users of a folder) share
/// it. Disposing saves what the ledgers have not yet written to the store.
/// </summary>
/// <param name="markers">Where the ledgers note areas with changes the store may lack (<see cref="UsageMarkers"/>); none in tests that need no crash recovery.</param>
/// <param name="reachability">Whether the store answers: while it does not, no upload waits for it, and its failures are expected (logged at Debug).</param>
public sealed class QuotaLedgers(IUsageStore store, ILogger<QuotaLedgers>? logger = null, UsageMarkers? markers = null, StoreReachability? reachability = null)
    : IAsyncDisposable, IStoreBacklog
{
    private readonly ConcurrentDictionary<string, QuotaLedger> _ledgers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _abandonedBytes = new(StringComparer.Ordinal);
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
            saveFailed: StoreFailed, markers: markers, storeAnswering: reachability is null ? null : () => reachability.IsReachable)
        {
            AbandonedBytes = _abandonedBytes.GetValueOrDefault(area),
        });

    public string What => "usage changes (areas)";

    /// <summary>Saves the changes of every ledger the store could not take; an area whose save fails again keeps them.</summary>
    public async Task<int> WriteBackAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var ledger in _ledgers.Values.Where(ledger => ledger.Unsaved != default))
        {
            try
            {
                await ledger.SaveAsync(cancellationToken).ConfigureAwait(false);
                written++;
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                StoreFailed(ledger, failure);
            }
        }

        return written;
    }

    private void StoreFailed(QuotaLedger ledger, Exception failure)
    {
        if (StoreReachability.IsOutage(failure))
        {
            Log.StoreWriteDeferred(_logger, $"read or save the usage of {ledger.Area}", failure.Message);
        }
        else
        {
            Log.UsageSaveFailed(_logger, ledger.Area, failure.Message);
        }
    }

    /// <summary>What the last sweep found of abandoned temporary uploads in an area (<see cref="QuotaLedger.AbandonedBytes"/>), for its ledger now or later.</summary>
    public void SetAbandoned(string area, long bytes)
    {
        _abandonedBytes[area] = bytes;
        if (_ledgers.TryGetValue(area, out var ledger))
        {
            ledger.AbandonedBytes = bytes;
        }
    }

    /// <summary>
    /// At start-up, before any session: counts every area whose marker the previous run left (it stopped before saving
    /// its changes) again from the disk, stores the count and removes the marker. A marker stays when its area cannot be
    /// counted now, for the next start; one whose area no longer exists goes.
    /// </summary>
    /// <param name="pathOf">The directory of an area, or null when there is no such home or folder any more.</param>
    public async Task RecountMarkedAsync(Func<string, string?> pathOf, CancellationToken cancellationToken)
    {
        foreach (var area in markers?.List() ?? [])
        {
            try
            {
                if (pathOf(area) is { } path)
                {
                    var stored = await store.LoadAsync(area, cancellationToken).ConfigureAwait(false);
                    var counted = await Task.Run(() => UsageScanner.Scan(path), cancellationToken).ConfigureAwait(false);
                    await store.SetAsync(area, counted, cancellationToken).ConfigureAwait(false);
                    Log.UsageRecounted(_logger, area, path, counted.Bytes, counted.Files, stored?.Bytes ?? 0, stored?.Files ?? 0);
                }

                markers!.Clear(area);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                Log.UsageRecountFailed(_logger, area, failure.Message);
            }
        }
    }

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
