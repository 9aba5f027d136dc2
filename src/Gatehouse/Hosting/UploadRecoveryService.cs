using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Server;
using Gatehouse.Storage.Local;
using Gatehouse.Storage.Quotas;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Hosting;

/// <summary>
/// Repairs what a crash (kill -9, power cut) leaves behind. Before the FTP server takes its first session, the usage
/// of every area the last run changed without saving is counted again from the disk
/// (<see cref="QuotaLedgers.RecountMarkedAsync"/>). Then, at start and every ten minutes, temporary files that no
/// running upload owns any more are removed from every home and folder (<see cref="AbandonedUploadRules"/>: all those
/// of an earlier run when this node is alone, those not written for an hour in a cluster), one log line each and a
/// summary; and every five minutes this process renews the lease of each of its running uploads, so that the sweeps
/// of other nodes leave them alone. Interrupted uploads kept for resuming go once not written for
/// Storage:PartialUploadMaxAgeHours, and leave their area's usage.
/// </summary>
public sealed partial class UploadRecoveryService(
    IAccountStore accounts, IAccessStore access, QuotaLedgers ledgers, GatehouseOptions options, TimeProvider time, ILogger<UploadRecoveryService> logger)
    : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(10);

    /// <summary>Before any upload of this process: files written earlier are an earlier run's.</summary>
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <summary>With SQLite no other node shares the store, hence none shares the homes and folders it lists.</summary>
    private bool Alone => options.AccountStore.Provider == AccountStoreProvider.Sqlite;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var paths = (await StorageAreas.ListAsync(accounts, access, cancellationToken).ConfigureAwait(false))
            .ToDictionary(area => area.Area, area => area.Path, StringComparer.Ordinal);
        await ledgers.RecountMarkedAsync(paths.GetValueOrDefault, cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            PeriodicWork.RunAsync(AbandonedUploadRules.LeaseRenewal, time, () => Task.Run(TemporaryUploads.RenewLeases, stoppingToken), stoppingToken),
            PeriodicWork.RunAsync(SweepInterval, time, () => SweepAsync(stoppingToken), stoppingToken));

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            var maxAge = options.Storage.PartialUploadMaxAgeHours;
            var rules = new AbandonedUploadRules(time.GetUtcNow(), Alone ? _started : null, maxAge == 0 ? null : TimeSpan.FromHours(maxAge));
            var areas = await StorageAreas.ListAsync(accounts, access, stoppingToken).ConfigureAwait(false);
            var total = default(AbandonedUploadSweepResult);
            foreach (var tree in areas.GroupBy(area => area.Path, StringComparer.Ordinal))
            {
                var found = await Task.Run(
                    () => AbandonedUploadSweep.Run(tree.Key, rules, Report),
                    stoppingToken).ConfigureAwait(false);
                foreach (var area in tree)
                {
                    ledgers.SetAbandoned(area.Area, found.CountedBytes);
                    if (found.PartialBytesRemoved > 0)
                    {
                        await ledgers.RecordAsync(area.Area, new StorageUsage(-found.PartialBytesRemoved, 0), stoppingToken).ConfigureAwait(false);
                    }
                }

                total += found;
            }

            // Quiet when there was nothing to find (every ten minutes on a healthy server).
            var level = total.Removed + total.Kept > 0 ? LogLevel.Information : LogLevel.Debug;
            Swept(logger, level, total.Removed, total.RemovedBytes, areas.Count, total.Kept, total.KeptBytes, total.CountedBytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(logger, ex);
        }
    }

    private void Report(AbandonedUpload removed)
    {
        var age = TimeSpan.FromSeconds(Math.Round(removed.Age.TotalSeconds));
        switch (removed.Kind)
        {
            case AbandonedUploadKind.ExpiredPartial:
                PartialRemoved(logger, removed.Path, removed.Bytes, age);
                break;
            case AbandonedUploadKind.RestoredPartial:
                PartialRestored(logger, removed.Path, removed.Bytes);
                break;
            default:
                Removed(logger, removed.Path, removed.Bytes, age);
                break;
        }
    }

    [LoggerMessage(233, LogLevel.Warning, "The upload writing to {Path} was continuing an interrupted upload when its process ended; the {Bytes} bytes kept before it are put back for the client to resume, what that attempt received is dropped")]
    private static partial void PartialRestored(ILogger logger, string path, long bytes);

    [LoggerMessage(232, LogLevel.Information, "Removed interrupted upload {Path} kept for resuming ({Bytes} bytes): its client did not resume it, last written {Age} ago (Storage:PartialUploadMaxAgeHours)")]
    private static partial void PartialRemoved(ILogger logger, string path, long bytes, TimeSpan age);

    [LoggerMessage(132, LogLevel.Warning, "Removed abandoned temporary upload {Path} ({Bytes} bytes, last written {Age} ago)")]
    private static partial void Removed(ILogger logger, string path, long bytes, TimeSpan age);

    [LoggerMessage(EventId = 133, Message = "Temporary upload sweep of {Areas} homes and folders: removed {Removed} abandoned upload(s), {RemovedBytes} bytes; left {Kept} of other processes in place ({KeptBytes} bytes, {CountedBytes} of them counted against quotas as probably abandoned)")]
    private static partial void Swept(ILogger logger, LogLevel level, int removed, long removedBytes, int areas, int kept, long keptBytes, long countedBytes);

    [LoggerMessage(134, LogLevel.Error, "Temporary upload sweep failed; it runs again at the next interval")]
    private static partial void Failed(ILogger logger, Exception exception);
}
