using Gatehouse.Storage.Access;

namespace Gatehouse.Accounts.Access;

/// <summary>Groups, memberships, settings, folders, mounts and per-path permissions: everything that shapes what a user may do.</summary>
public interface IAccessStore
{
    Task<bool> AddGroupAsync(string name, string description, CancellationToken cancellationToken);

    /// <summary>Removes the group with its memberships, settings, mounts and permissions.</summary>
    Task<bool> RemoveGroupAsync(string name, CancellationToken cancellationToken);

    Task<GroupRecord?> FindGroupAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<GroupRecord>> ListGroupsAsync(CancellationToken cancellationToken);

    Task<bool> AddMemberAsync(string user, string group, CancellationToken cancellationToken);

    Task<bool> RemoveMemberAsync(string user, string group, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> GroupsOfAsync(string user, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> MembersOfAsync(string group, CancellationToken cancellationToken);

    /// <summary>A null value removes the setting, so the owner inherits it again.</summary>
    Task SetSettingAsync(Owner owner, string key, string? value, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, string>> SettingsOfAsync(Owner owner, CancellationToken cancellationToken);

    Task<bool> AddFolderAsync(string name, string path, CancellationToken cancellationToken);

    /// <summary>Removes the folder and its mounts (not its files).</summary>
    Task<bool> RemoveFolderAsync(string name, CancellationToken cancellationToken);

    Task<FolderRecord?> FindFolderAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<FolderRecord>> ListFoldersAsync(CancellationToken cancellationToken);

    /// <summary>Adds or replaces the mount at that owner's virtual path.</summary>
    Task SetMountAsync(MountRecord mount, CancellationToken cancellationToken);

    Task<bool> RemoveMountAsync(Owner owner, string virtualPath, CancellationToken cancellationToken);

    Task<IReadOnlyList<MountRecord>> MountsOfAsync(Owner owner, CancellationToken cancellationToken);

    Task<IReadOnlyList<MountRecord>> MountsOfFolderAsync(string folder, CancellationToken cancellationToken);

    /// <summary>Adds or replaces the rule at that owner's virtual path.</summary>
    Task SetPermissionAsync(Owner owner, string virtualPath, FilePermissions permissions, CancellationToken cancellationToken);

    Task<bool> RemovePermissionAsync(Owner owner, string virtualPath, CancellationToken cancellationToken);

    Task<IReadOnlyList<PermissionRecord>> PermissionsOfAsync(Owner owner, CancellationToken cancellationToken);
}
