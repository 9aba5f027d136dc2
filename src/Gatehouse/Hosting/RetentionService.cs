using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Hosting;

/// <summary>Runs the retention sweep every Retention:IntervalMinutes, logging one line per deleted file.</summary>
public sealed partial class RetentionService(RetentionRunner runner, QuotaLedgers ledgers, GatehouseOptions options, TimeProvider time, ILogger<RetentionService> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(TimeSpan.FromMinutes(options.Retention.IntervalMinutes), time, () => SweepAsync(stoppingToken), stoppingToken);

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            var deletions = await runner.RunAsync(
                options.Retention.DryRun,
                (area, change) => ledgers.RecordAsync(area, change, stoppingToken),
                stoppingToken).ConfigureAwait(false);
            foreach (var deletion in deletions)
            {
                Deleted(logger, options.Retention.DryRun ? "would delete (Retention:DryRun)" : "deleted", deletion.Area, deletion.Path, deletion.Modified, deletion.Bytes, deletion.RetentionDays);
            }
        }
        catch (Exception ex) when (StoreReachability.IsOutage(ex))
        {
            // The account store is away (said once, by its reachability): the sweep runs again at the next interval.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(logger, ex);
        }
    }

    [LoggerMessage(100, LogLevel.Information, "Retention {Action} {Area}:{Path} (modified {Modified:u}, {Bytes} bytes; retention-days {Days})")]
    private static partial void Deleted(ILogger logger, string action, string area, string path, DateTimeOffset modified, long bytes, int days);

    [LoggerMessage(101, LogLevel.Error, "Retention sweep failed; it runs again at the next interval")]
    private static partial void Failed(ILogger logger, Exception exception);
}
