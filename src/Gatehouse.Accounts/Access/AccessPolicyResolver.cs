using Gatehouse.Storage;
using Gatehouse.Storage.Access;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Accounts.Access;

/// <summary>Loads a user's own and their groups' settings, mounts and permissions, and merges them into an <see cref="AccessPolicy"/>.</summary>
public sealed class AccessPolicyResolver(IAccessStore store)
{
    public async Task<AccessPolicy> ResolveAsync(string user, CancellationToken cancellationToken)
    {
        var groups = await store.GroupsOfAsync(user, cancellationToken).ConfigureAwait(false);
        var own = await store.SettingsOfAsync(Owner.User(user), cancellationToken).ConfigureAwait(false);
        var groupSettings = new List<(string, IReadOnlyDictionary<string, string>)>();
        var mountRecords = new List<MountRecord>(await store.MountsOfAsync(Owner.User(user), cancellationToken).ConfigureAwait(false));
        var rules = new List<PermissionRule>();
        AddRules(rules, await store.PermissionsOfAsync(Owner.User(user), cancellationToken).ConfigureAwait(false), RuleLayer.User);
        foreach (var group in groups)
        {
            groupSettings.Add((group, await store.SettingsOfAsync(Owner.Group(group), cancellationToken).ConfigureAwait(false)));
            mountRecords.AddRange(await store.MountsOfAsync(Owner.Group(group), cancellationToken).ConfigureAwait(false));
            AddRules(rules, await store.PermissionsOfAsync(Owner.Group(group), cancellationToken).ConfigureAwait(false), RuleLayer.Group);
        }

        var folders = new Dictionary<string, (FolderRecord, QuotaLimits)>(StringComparer.Ordinal);
        foreach (var name in mountRecords.Select(mount => mount.Folder).Distinct())
        {
            if (await store.FindFolderAsync(name, cancellationToken).ConfigureAwait(false) is { } folder)
            {
                folders[name] = (folder, FolderQuota(await store.SettingsOfAsync(Owner.Folder(name), cancellationToken).ConfigureAwait(false)));
            }
        }

        var conflicts = new List<string>();
        var mounts = MergeMounts(mountRecords, folders, conflicts);
        return new AccessPolicy(groups, SettingMerger.Merge(user, own, groupSettings), mounts, new PermissionTable(rules), conflicts);
    }

    /// <summary>
    /// One mount per virtual path: the user's own wins; else the groups' (writable if any group mounts it
    /// writable). Two groups mounting different folders at one path is a conflict: the first group by name wins.
    /// </summary>
    public static IReadOnlyList<EffectiveMount> MergeMounts(IEnumerable<MountRecord> records, IReadOnlyDictionary<string, (FolderRecord Record, QuotaLimits Quota)> folders, List<string> conflicts)
    {
        var result = new List<EffectiveMount>();
        foreach (var atPath in records.Where(record => folders.ContainsKey(record.Folder)).GroupBy(record => record.VirtualPath, StringComparer.Ordinal))
        {
            if (!VirtualPath.TryResolve(VirtualPath.Root, atPath.Key, out var at, out _) || at.IsRoot)
            {
                continue;
            }

            var own = atPath.FirstOrDefault(record => record.Owner.Kind == OwnerKind.User);
            if (own is not null)
            {
                var (ownFolder, ownQuota) = folders[own.Folder];
                result.Add(new EffectiveMount(at, ownFolder, own.ReadOnly, own.Owner.ToString(), ownQuota));
                continue;
            }

            var ordered = atPath.OrderBy(record => record.Owner.Name, StringComparer.Ordinal).ToList();
            var winner = ordered[0];
            var same = ordered.Where(record => record.Folder == winner.Folder).ToList();
            foreach (var loser in ordered.Where(record => record.Folder != winner.Folder))
            {
                conflicts.Add($"{at}: {loser.Owner} mounts folder {loser.Folder}, but {winner.Owner} mounts {winner.Folder} there; {winner.Owner} wins");
            }

            var (folder, quota) = folders[winner.Folder];
            result.Add(new EffectiveMount(at, folder, same.TrueForAll(record => record.ReadOnly), string.Join(", ", same.Select(record => record.Owner)), quota));
        }

        return result;
    }

    public static QuotaLimits FolderQuota(IReadOnlyDictionary<string, string> settings) => new(
        SettingValues.ParseLimit(settings.GetValueOrDefault(SettingCatalog.QuotaBytes)),
        SettingValues.ParseLimit(settings.GetValueOrDefault(SettingCatalog.QuotaFiles)));

    private static void AddRules(List<PermissionRule> rules, IEnumerable<PermissionRecord> records, RuleLayer layer)
    {
        foreach (var record in records)
        {
            if (VirtualPath.TryResolve(VirtualPath.Root, record.VirtualPath, out var path, out _))
            {
                rules.Add(new PermissionRule(path, record.Permissions, layer, record.Owner.ToString()));
            }
        }
    }
}
