using System.CommandLine;
using Gatehouse.Hosting;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Cli;

/// <summary>gatehouse quota scan and gatehouse retention run: the maintenance the server also does on its own.</summary>
internal static class MaintenanceCommands
{
    public static Command Quota()
    {
        var config = CommonOptions.Config();
        var scan = new Command("scan", "Recompute the usage of every home and folder from the disk (after files were changed outside FTP).") { config };
        scan.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            Console.WriteLine($"{"AREA",-32} {"BYTES",-14} {"FILES",-8} QUOTA");
            foreach (var area in await store.Maintenance.ScanAsync(CliStore.Actor, cancellationToken).ConfigureAwait(false))
            {
                var quota = area.Quota;
                var limit = quota.Bytes is null && quota.Files is null
                    ? "unlimited"
                    : $"{(quota.Bytes is { } bytes ? QuotaLedger.Format(bytes) : "unlimited bytes")}, {(quota.Files is { } files ? $"{files} files" : "unlimited files")}";
                Console.WriteLine($"{area.Area,-32} {area.Used?.Bytes,-14} {area.Used?.Files,-8} {limit}");
            }

            Console.WriteLine("A running server uses the new figures from its next upload into each area.");
            return 0;
        }));
        return new Command("quota", "Storage quotas.") { scan };
    }

    public static Command Retention()
    {
        var config = CommonOptions.Config();
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted without deleting anything." };
        var run = new Command("run", "Delete files older than the retention-days of their home or folder, now.") { dryRun, config };
        run.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var deletions = await store.Maintenance.RunRetentionAsync(CliStore.Actor, parse.GetValue(dryRun), cancellationToken).ConfigureAwait(false);
            foreach (var deletion in deletions)
            {
                Console.WriteLine($"{(parse.GetValue(dryRun) ? "would delete" : "deleted")} {deletion.Area}:{deletion.Path} (modified {UserCommands.Format(deletion.Modified)}, {deletion.Bytes} bytes, retention-days {deletion.RetentionDays})");
            }

            Console.WriteLine($"{deletions.Count} file(s) {(parse.GetValue(dryRun) ? "would be" : "were")} deleted.");
            return 0;
        }));
        return new Command("retention", "Retention of temporary exchange files.") { run };
    }
}
