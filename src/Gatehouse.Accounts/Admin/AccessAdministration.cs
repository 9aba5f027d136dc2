using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Audit;
using Gatehouse.Storage.Access;

namespace Gatehouse.Accounts.Admin;

/// <summary>A setting written by <see cref="AccessAdministration.SetSettingsAsync"/>: null <see cref="Value"/> means removed (inherited again).</summary>
public sealed record SettingChange(string Key, string? Value);

/// <summary>
/// Groups, memberships, shared folders, mounts, per-path permissions and settings, changed the same way by the CLI and
/// the admin API: the same name, path, permission and setting syntax, the same confinement of folder paths, the same
/// messages; each change is recorded in the audit trail with the values before and after.
/// </summary>
public sealed class AccessAdministration(IAccountStore accounts, IAccessStore access, AuditTrail audit, DirectoryConfinement directories)
{
    public async Task<AdminRefusal?> AddGroupAsync(AuditActor actor, string name, string? description, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        if (!AccountNames.IsValid(name, out var error))
        {
            return AdminRefusal.Invalid("name", error.Replace("user name", "group name", StringComparison.Ordinal));
        }

        if (Prepare(OwnerKind.Group, settings) is { Refusal: { } invalid })
        {
            return invalid;
        }

        if (!await access.AddGroupAsync(name, description ?? string.Empty, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.Conflict("name", $"Group '{name}' already exists.");
        }

        await audit.RecordAsync(actor, "group.add", name, null, $"description={description}", cancellationToken).ConfigureAwait(false);
        return (await SetSettingsAsync(actor, Owner.Group(name), settings, cancellationToken).ConfigureAwait(false)).Refusal;
    }

    public async Task<AdminRefusal?> RemoveGroupAsync(AuditActor actor, string name, CancellationToken cancellationToken)
    {
        var group = await access.FindGroupAsync(name, cancellationToken).ConfigureAwait(false);
        if (group is null)
        {
            return AdminRefusal.NotFound("name", $"No group '{name}'.");
        }

        var before = await DescribeAsync(Owner.Group(name), $"members={string.Join(',', await access.MembersOfAsync(name, cancellationToken).ConfigureAwait(false))}", cancellationToken).ConfigureAwait(false);
        if (!await access.RemoveGroupAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.NotFound("name", $"No group '{name}'.");
        }

        await audit.RecordAsync(actor, "group.remove", name, before, null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Puts <paramref name="user"/> in <paramref name="group"/> or takes them out; the audit says which.</summary>
    /// <returns>Null when done (also when nothing had to change), else what is wrong.</returns>
    public async Task<AdminRefusal?> SetMembershipAsync(AuditActor actor, string user, string group, bool member, CancellationToken cancellationToken)
    {
        if (await CheckOwnerAsync(Owner.User(user), "user", cancellationToken).ConfigureAwait(false) is { } noUser)
        {
            return noUser;
        }

        if (await CheckOwnerAsync(Owner.Group(group), "group", cancellationToken).ConfigureAwait(false) is { } noGroup)
        {
            return noGroup;
        }

        var changed = member
            ? await access.AddMemberAsync(user, group, cancellationToken).ConfigureAwait(false)
            : await access.RemoveMemberAsync(user, group, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            await audit.RecordAsync(actor, member ? "group.member.add" : "group.member.remove", $"group {group}", member ? null : $"member={user}", member ? $"member={user}" : null, cancellationToken)
                .ConfigureAwait(false);
        }

        return null;
    }

    public async Task<AdminRefusal?> AddFolderAsync(AuditActor actor, string name, string? path, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        if (!AccountNames.IsValid(name, out var error))
        {
            return AdminRefusal.Invalid("name", error.Replace("user name", "folder name", StringComparison.Ordinal));
        }

        var (directory, refusal) = directories.Check("path", path);
        if (refusal is not null)
        {
            return refusal;
        }

        if (Prepare(OwnerKind.Folder, settings) is { Refusal: { } invalid })
        {
            return invalid;
        }

        if (await access.FindFolderAsync(name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return AdminRefusal.Conflict("name", $"Folder '{name}' already exists.");
        }

        Directory.CreateDirectory(directory!);
        if (!await access.AddFolderAsync(name, directory!, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.Conflict("name", $"Folder '{name}' already exists.");
        }

        await audit.RecordAsync(actor, "folder.add", name, null, $"path={directory}", cancellationToken).ConfigureAwait(false);
        return (await SetSettingsAsync(actor, Owner.Folder(name), settings, cancellationToken).ConfigureAwait(false)).Refusal;
    }

    public async Task<AdminRefusal?> RemoveFolderAsync(AuditActor actor, string name, CancellationToken cancellationToken)
    {
        var folder = await access.FindFolderAsync(name, cancellationToken).ConfigureAwait(false);
        if (folder is null)
        {
            return AdminRefusal.NotFound("name", $"No folder '{name}'.");
        }

        var mounts = await access.MountsOfFolderAsync(name, cancellationToken).ConfigureAwait(false);
        var before = await DescribeAsync(Owner.Folder(name), $"path={folder.Path} mounts={string.Join(',', mounts.Select(mount => $"{mount.Owner}:{mount.VirtualPath}"))}", cancellationToken).ConfigureAwait(false);
        if (!await access.RemoveFolderAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.NotFound("name", $"No folder '{name}'.");
        }

        await audit.RecordAsync(actor, "folder.remove", name, before, null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Shows <paramref name="folder"/> at <paramref name="at"/> in the owner's tree, replacing a mount already there.</summary>
    public async Task<AdminRefusal?> MountAsync(AuditActor actor, string folder, Owner owner, string? at, bool readOnly, CancellationToken cancellationToken)
    {
        if (!VirtualPaths.TryParse(at, allowRoot: false, out var path, out var error))
        {
            return AdminRefusal.Invalid("at", error);
        }

        if ((await CheckOwnerAsync(Owner.Folder(folder), "folder", cancellationToken).ConfigureAwait(false) ?? await CheckOwnerAsync(owner, "owner", cancellationToken).ConfigureAwait(false)) is { } missing)
        {
            return missing;
        }

        var previous = (await access.MountsOfAsync(owner, cancellationToken).ConfigureAwait(false)).FirstOrDefault(mount => mount.VirtualPath == path.Value);
        await access.SetMountAsync(new MountRecord(folder, owner, path.Value, readOnly), cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(actor, "mount.set", $"{owner} {path.Value}", previous is null ? null : Describe(previous), Describe(new MountRecord(folder, owner, path.Value, readOnly)), cancellationToken)
            .ConfigureAwait(false);
        return null;
    }

    public async Task<AdminRefusal?> UnmountAsync(AuditActor actor, Owner owner, string? at, CancellationToken cancellationToken)
    {
        if (!VirtualPaths.TryParse(at, allowRoot: false, out var path, out var error))
        {
            return AdminRefusal.Invalid("at", error);
        }

        var previous = (await access.MountsOfAsync(owner, cancellationToken).ConfigureAwait(false)).FirstOrDefault(mount => mount.VirtualPath == path.Value);
        if (previous is null || !await access.RemoveMountAsync(owner, path.Value, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.NotFound("at", $"{owner} has no mount at {path}.");
        }

        await audit.RecordAsync(actor, "mount.remove", $"{owner} {path.Value}", Describe(previous), null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Sets what the owner may do inside <paramref name="at"/> ("list,download", "all", "none"), replacing its rule there.</summary>
    /// <returns>The normalized path and permissions, or the refusal.</returns>
    public async Task<(PermissionRecord? Rule, AdminRefusal? Refusal)> SetPermissionAsync(AuditActor actor, Owner owner, string? at, string? permissions, CancellationToken cancellationToken)
    {
        if (!VirtualPaths.TryParse(at, allowRoot: true, out var path, out var error))
        {
            return (null, AdminRefusal.Invalid("path", error));
        }

        if (!FilePermissionNames.TryParse(permissions, out var allowed, out error))
        {
            return (null, AdminRefusal.Invalid("permissions", error));
        }

        if (await CheckOwnerAsync(owner, "owner", cancellationToken).ConfigureAwait(false) is { } missing)
        {
            return (null, missing);
        }

        var previous = (await access.PermissionsOfAsync(owner, cancellationToken).ConfigureAwait(false)).FirstOrDefault(rule => rule.VirtualPath == path.Value);
        await access.SetPermissionAsync(owner, path.Value, allowed, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(actor, "permission.set", $"{owner} {path.Value}", previous is null ? null : FilePermissionNames.Format(previous.Permissions), FilePermissionNames.Format(allowed), cancellationToken)
            .ConfigureAwait(false);
        return (new PermissionRecord(owner, path.Value, allowed), null);
    }

    public async Task<AdminRefusal?> RemovePermissionAsync(AuditActor actor, Owner owner, string? at, CancellationToken cancellationToken)
    {
        if (!VirtualPaths.TryParse(at, allowRoot: true, out var path, out var error))
        {
            return AdminRefusal.Invalid("path", error);
        }

        var previous = (await access.PermissionsOfAsync(owner, cancellationToken).ConfigureAwait(false)).FirstOrDefault(rule => rule.VirtualPath == path.Value);
        if (previous is null || !await access.RemovePermissionAsync(owner, path.Value, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.NotFound("path", $"{owner} has no rule at {path}.");
        }

        await audit.RecordAsync(actor, "permission.remove", $"{owner} {path.Value}", FilePermissionNames.Format(previous.Permissions), null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Checks every value with <see cref="SettingCatalog"/> first, so one typo changes nothing; then writes them and
    /// records one audit entry with the values before and after. A value of "inherit" removes the setting.
    /// </summary>
    public async Task<(IReadOnlyList<SettingChange> Changes, AdminRefusal? Refusal)> SetSettingsAsync(
        AuditActor actor, Owner owner, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var (changes, refusal) = Prepare(owner.Kind, settings);
        if (refusal is not null || changes.Count == 0)
        {
            return (changes, refusal);
        }

        if (await CheckOwnerAsync(owner, "owner", cancellationToken).ConfigureAwait(false) is { } missing)
        {
            return ([], missing);
        }

        var current = await access.SettingsOfAsync(owner, cancellationToken).ConfigureAwait(false);
        foreach (var change in changes)
        {
            await access.SetSettingAsync(owner, change.Key, change.Value, cancellationToken).ConfigureAwait(false);
        }

        await audit.RecordAsync(
            actor,
            "setting.set",
            owner.ToString(),
            string.Join(' ', changes.Select(change => $"{change.Key}={(current.TryGetValue(change.Key, out var value) ? value : SettingCatalog.Inherit)}")),
            string.Join(' ', changes.Select(change => $"{change.Key}={change.Value ?? SettingCatalog.Inherit}")),
            cancellationToken).ConfigureAwait(false);
        return (changes, null);
    }

    /// <summary>Checks settings for an owner of <paramref name="kind"/> without writing them (before creating the owner).</summary>
    public static AdminRefusal? CheckSettings(OwnerKind kind, IReadOnlyDictionary<string, string> settings) => Prepare(kind, settings).Refusal;

    /// <summary>Null when the owner exists, else the refusal naming <paramref name="field"/>.</summary>
    public async Task<AdminRefusal?> CheckOwnerAsync(Owner owner, string field, CancellationToken cancellationToken) => owner.Kind switch
    {
        OwnerKind.User when await accounts.FindAsync(owner.Name, cancellationToken).ConfigureAwait(false) is null =>
            AdminRefusal.NotFound(field, $"No user '{owner.Name}'."),
        OwnerKind.Group when await access.FindGroupAsync(owner.Name, cancellationToken).ConfigureAwait(false) is null =>
            AdminRefusal.NotFound(field, $"No group '{owner.Name}'; create it with 'gatehouse group add {owner.Name}'."),
        OwnerKind.Folder when await access.FindFolderAsync(owner.Name, cancellationToken).ConfigureAwait(false) is null =>
            AdminRefusal.NotFound(field, $"No folder '{owner.Name}'; create it with 'gatehouse folder add {owner.Name} --path DIR'."),
        _ => null,
    };

    private static (IReadOnlyList<SettingChange> Changes, AdminRefusal? Refusal) Prepare(OwnerKind kind, IReadOnlyDictionary<string, string> settings)
    {
        var changes = new List<SettingChange>();
        var errors = new List<FieldError>();
        foreach (var (key, value) in settings)
        {
            if (SettingCatalog.TryPrepare(kind, key, value, out var normalized, out var error))
            {
                changes.Add(new SettingChange(key, normalized));
            }
            else
            {
                errors.Add(new FieldError($"settings.{key}", error));
            }
        }

        return errors.Count > 0 ? (changes, new AdminRefusal(RefusalKind.Invalid, errors)) : (changes, null);
    }

    /// <summary>What an owner carries, for the "before" of its removal.</summary>
    private async Task<string> DescribeAsync(Owner owner, string head, CancellationToken cancellationToken)
    {
        var settings = await access.SettingsOfAsync(owner, cancellationToken).ConfigureAwait(false);
        var rules = owner.Kind == OwnerKind.Folder ? [] : await access.PermissionsOfAsync(owner, cancellationToken).ConfigureAwait(false);
        return string.Join(' ', new[] { head }
            .Concat(settings.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"))
            .Concat(rules.Select(rule => $"perm:{rule.VirtualPath}={FilePermissionNames.Format(rule.Permissions)}")));
    }

    private static string Describe(MountRecord mount) => $"folder={mount.Folder} read-only={mount.ReadOnly}";
}
