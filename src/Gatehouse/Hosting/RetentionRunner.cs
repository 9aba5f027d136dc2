using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Protocol.Access;
using Gatehouse.Storage.Quotas;
using Gatehouse.Storage.Retention;

namespace Gatehouse.Hosting;

/// <summary>One pass over every home and folder that has a retention-days setting (effective for users: their own or their groups').</summary>
public sealed class RetentionRunner(IAccountStore accounts, IAccessStore access, TimeProvider time)
{
    public sealed record Deletion(string Area, string Path, DateTimeOffset Modified, long Bytes, int RetentionDays);

    /// <param name="freed">Told what each area lost, so usage stays right.</param>
    public async Task<IReadOnlyList<Deletion>> RunAsync(bool dryRun, Func<string, StorageUsage, Task> freed, CancellationToken cancellationToken)
    {
        var deletions = new List<Deletion>();
        var resolver = new AccessPolicyResolver(access);
        foreach (var account in await accounts.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var policy = await resolver.ResolveAsync(account.Name, cancellationToken).ConfigureAwait(false);
            if (policy.RetentionDays is { } days)
            {
                await SweepAsync(QuotaLedgers.HomeArea(account.Name), account.HomeDirectory, (int)days, dryRun, deletions, freed, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var folder in await access.ListFoldersAsync(cancellationToken).ConfigureAwait(false))
        {
            var settings = await access.SettingsOfAsync(Owner.Folder(folder.Name), cancellationToken).ConfigureAwait(false);
            if (SettingValues.ParseLimit(settings.GetValueOrDefault(SettingCatalog.RetentionDays)) is { } days)
            {
                await SweepAsync(QuotaLedgers.FolderArea(folder.Name), folder.Path, (int)days, dryRun, deletions, freed, cancellationToken).ConfigureAwait(false);
            }
        }

        return deletions;
    }

    private async Task SweepAsync(
        string area, string root, int days, bool dryRun, List<Deletion> deletions, Func<string, StorageUsage, Task> freed, CancellationToken cancellationToken)
    {
        var cutOff = time.GetUtcNow().AddDays(-days);
        var removed = await Task.Run(
            () => RetentionSweep.Run(root, cutOff, dryRun, (path, modified, bytes) => deletions.Add(new Deletion(area, path, modified, bytes, days))),
            cancellationToken).ConfigureAwait(false);
        if (!dryRun && removed != default)
        {
            await freed(area, new StorageUsage(-removed.Bytes, -removed.Files)).ConfigureAwait(false);
        }
    }
}
