using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Audit;
using Gatehouse.Protocol.Access;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Hosting;

/// <summary>A home ("user:NAME") or shared folder ("folder:NAME") with its real path, its usage as last counted (null: never) and its quota.</summary>
public sealed record AreaUsage(string Area, string Path, StorageUsage? Used, QuotaLimits Quota);

/// <summary>
/// Quota usage and scans, and retention runs, as <c>gatehouse quota scan</c>, <c>gatehouse retention run</c> and the
/// admin API do them; a scan and a run that deletes are recorded in the audit trail.
/// </summary>
/// <param name="freed">Told what a retention run freed in each area: the store's usage from the CLI, the server's ledgers in the server.</param>
public sealed class StorageMaintenance(
    IAccountStore accounts, IAccessStore access, IUsageStore usage, RetentionRunner retention, AuditTrail audit, Func<string, StorageUsage, CancellationToken, Task> freed)
{
    /// <summary>Every area with its stored usage, without touching the disk.</summary>
    public Task<IReadOnlyList<AreaUsage>> UsageAsync(CancellationToken cancellationToken) => VisitAsync(scan: false, cancellationToken);

    /// <summary>Counts every home and folder on the disk again and stores the figures (after files were changed outside FTP).</summary>
    public async Task<IReadOnlyList<AreaUsage>> ScanAsync(AuditActor actor, CancellationToken cancellationToken)
    {
        var areas = await VisitAsync(scan: true, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(actor, "quota.scan", "all areas", null, $"areas={areas.Count} bytes={areas.Sum(area => area.Used?.Bytes ?? 0)}", cancellationToken).ConfigureAwait(false);
        return areas;
    }

    /// <summary>Deletes the files older than the retention-days of their home or folder now (lists them only with <paramref name="dryRun"/>).</summary>
    public async Task<IReadOnlyList<RetentionRunner.Deletion>> RunRetentionAsync(AuditActor actor, bool dryRun, CancellationToken cancellationToken)
    {
        var deletions = await retention.RunAsync(dryRun, (area, change) => freed(area, change, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (!dryRun)
        {
            await audit.RecordAsync(actor, "retention.run", "all areas", null, $"deleted={deletions.Count} bytes={deletions.Sum(deletion => deletion.Bytes)}", cancellationToken).ConfigureAwait(false);
        }

        return deletions;
    }

    private async Task<IReadOnlyList<AreaUsage>> VisitAsync(bool scan, CancellationToken cancellationToken)
    {
        var areas = new List<AreaUsage>();
        var resolver = new AccessPolicyResolver(access);
        foreach (var account in await accounts.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var quota = (await resolver.ResolveAsync(account.Name, cancellationToken).ConfigureAwait(false)).Quota;
            areas.Add(await MeasureAsync(QuotaLedgers.HomeArea(account.Name), account.HomeDirectory, quota, scan, cancellationToken).ConfigureAwait(false));
        }

        foreach (var folder in await access.ListFoldersAsync(cancellationToken).ConfigureAwait(false))
        {
            var quota = AccessPolicyResolver.FolderQuota(await access.SettingsOfAsync(Owner.Folder(folder.Name), cancellationToken).ConfigureAwait(false));
            areas.Add(await MeasureAsync(QuotaLedgers.FolderArea(folder.Name), folder.Path, quota, scan, cancellationToken).ConfigureAwait(false));
        }

        return areas;
    }

    private async Task<AreaUsage> MeasureAsync(string area, string path, QuotaLimits quota, bool scan, CancellationToken cancellationToken)
    {
        if (!scan)
        {
            return new AreaUsage(area, path, await usage.LoadAsync(area, cancellationToken).ConfigureAwait(false), quota);
        }

        var counted = UsageScanner.Scan(path);
        await usage.SetAsync(area, counted, cancellationToken).ConfigureAwait(false);
        return new AreaUsage(area, path, counted, quota);
    }
}
