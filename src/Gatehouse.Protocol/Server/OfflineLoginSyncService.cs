using System.Data.Common;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Server;

/// <summary>Runs <see cref="OfflineLoginSync"/> every AccountStore:OfflineLoginSyncSeconds while the store answers.</summary>
public sealed class OfflineLoginSyncService(
    OfflineLoginSync sync, StoreReachability reachability, TimeSpan interval, TimeProvider time, ILogger<OfflineLoginSyncService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(interval, time, () => PassAsync(stoppingToken), stoppingToken);

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        if (!reachability.IsReachable)
        {
            return;
        }

        try
        {
            if (await sync.PassAsync(cancellationToken).ConfigureAwait(false) is > 0 and var read)
            {
                Log.OfflineLoginsSynced(logger, read);
            }
        }
        catch (Exception error) when (StoreReachability.IsOutage(error) || error is OperationCanceledException)
        {
            // The outage monitor says it; the next pass after the store's return catches up.
        }
        catch (DbException error)
        {
            Log.OfflineLoginSyncFailed(logger, (long)interval.TotalSeconds, error);
        }
    }
}
