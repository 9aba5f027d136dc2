using System.CommandLine;
using Gatehouse.Accounts.Access;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Access;
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
            var resolver = new AccessPolicyResolver(store.Access);
            Console.WriteLine($"{"AREA",-32} {"BYTES",-14} {"FILES",-8} QUOTA");
            foreach (var account in await store.Accounts.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                var quota = (await resolver.ResolveAsync(account.Name, cancellationToken).ConfigureAwait(false)).Quota;
                await ScanAsync(store, QuotaLedgers.HomeArea(account.Name), account.HomeDirectory, quota, cancellationToken).ConfigureAwait(false);
            }

            foreach (var folder in await store.Access.ListFoldersAsync(cancellationToken).ConfigureAwait(false))
            {
                var quota = AccessPolicyResolver.FolderQuota(await store.Access.SettingsOfAsync(Owner.Folder(folder.Name), cancellationToken).ConfigureAwait(false));
                await ScanAsync(store, QuotaLedgers.FolderArea(folder.Name), folder.Path, quota, cancellationToken).ConfigureAwait(false);
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
            var runner = new RetentionRunner(store.Accounts, store.Access, TimeProvider.System);
            var deletions = await runner.RunAsync(parse.GetValue(dryRun), (area, change) => store.Usage.AddAsync(area, change, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            foreach (var deletion in deletions)
            {
                Console.WriteLine($"{(parse.GetValue(dryRun) ? "would delete" : "deleted")} {deletion.Area}:{deletion.Path} (modified {UserCommands.Format(deletion.Modified)}, {deletion.Bytes} bytes, retention-days {deletion.RetentionDays})");
            }

            Console.WriteLine($"{deletions.Count} file(s) {(parse.GetValue(dryRun) ? "would be" : "were")} deleted.");
            return 0;
        }));
        return new Command("retention", "Retention of temporary exchange files.") { run };
    }

    private static async Task ScanAsync(CliStore store, string area, string path, QuotaLimits quota, CancellationToken cancellationToken)
    {
        var usage = UsageScanner.Scan(path);
        await store.Usage.SetAsync(area, usage, cancellationToken).ConfigureAwait(false);
        var limit = quota.Bytes is null && quota.Files is null
            ? "unlimited"
            : $"{(quota.Bytes is { } bytes ? QuotaLedger.Format(bytes) : "unlimited bytes")}, {(quota.Files is { } files ? $"{files} files" : "unlimited files")}";
        Console.WriteLine($"{area,-32} {usage.Bytes,-14} {usage.Files,-8} {limit}");
    }
}
