using System.Data.Common;
using Gatehouse.Accounts.Access;
using Gatehouse.Storage.Access;

namespace Gatehouse.Accounts.Store;

public sealed class SqlAccessStore(AccountDatabase database) : IAccessStore
{
    public async Task<bool> AddGroupAsync(string name, string description, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO groups (name, description, created_at) VALUES (@name, @description, @created) ON CONFLICT(name) DO NOTHING",
            cancellationToken,
            ("@name", name),
            ("@description", description),
            ("@created", AccountDatabase.Format(DateTimeOffset.UtcNow))).ConfigureAwait(false) == 1;

    public async Task<bool> RemoveGroupAsync(string name, CancellationToken cancellationToken)
    {
        if (await database.ExecuteAsync("DELETE FROM groups WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) != 1)
        {
            return false;
        }

        await RemoveOwnedAsync(database, Owner.Group(name), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<GroupRecord?> FindGroupAsync(string name, CancellationToken cancellationToken) =>
        (await database.QueryAsync("SELECT name, description, created_at FROM groups WHERE name = @name", ReadGroup, cancellationToken, ("@name", name))
            .ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<GroupRecord>> ListGroupsAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT name, description, created_at FROM groups ORDER BY name", ReadGroup, cancellationToken).ConfigureAwait(false);

    public async Task<bool> AddMemberAsync(string user, string group, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO memberships (user_name, group_name) VALUES (@user, @group) ON CONFLICT DO NOTHING",
            cancellationToken,
            ("@user", user),
            ("@group", group)).ConfigureAwait(false) == 1;

    public async Task<bool> RemoveMemberAsync(string user, string group, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "DELETE FROM memberships WHERE user_name = @user AND group_name = @group",
            cancellationToken,
            ("@user", user),
            ("@group", group)).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyList<string>> GroupsOfAsync(string user, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT group_name FROM memberships WHERE user_name = @user ORDER BY group_name", r => r.GetString(0), cancellationToken, ("@user", user))
            .ConfigureAwait(false);

    public async Task<IReadOnlyList<string>> MembersOfAsync(string group, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT user_name FROM memberships WHERE group_name = @group ORDER BY user_name", r => r.GetString(0), cancellationToken, ("@group", group))
            .ConfigureAwait(false);

    public Task SetSettingAsync(Owner owner, string key, string? value, CancellationToken cancellationToken) =>
        value is null
            ? database.ExecuteAsync("DELETE FROM settings WHERE owner_kind = @kind AND owner = @owner AND key = @key", cancellationToken, OwnerParameters(owner, ("@key", key)))
            : database.ExecuteAsync(
                "INSERT INTO settings (owner_kind, owner, key, value) VALUES (@kind, @owner, @key, @value) ON CONFLICT (owner_kind, owner, key) DO UPDATE SET value = excluded.value",
                cancellationToken,
                OwnerParameters(owner, ("@key", key), ("@value", value)));

    public async Task<IReadOnlyDictionary<string, string>> SettingsOfAsync(Owner owner, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            "SELECT key, value FROM settings WHERE owner_kind = @kind AND owner = @owner",
            r => (Key: r.GetString(0), Value: r.GetString(1)),
            cancellationToken,
            OwnerParameters(owner)).ConfigureAwait(false)).ToDictionary(row => row.Key, row => row.Value, StringComparer.Ordinal);

    public async Task<bool> AddFolderAsync(string name, string path, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO folders (name, path, created_at) VALUES (@name, @path, @created) ON CONFLICT(name) DO NOTHING",
            cancellationToken,
            ("@name", name),
            ("@path", path),
            ("@created", AccountDatabase.Format(DateTimeOffset.UtcNow))).ConfigureAwait(false) == 1;

    public async Task<bool> RemoveFolderAsync(string name, CancellationToken cancellationToken)
    {
        if (await database.ExecuteAsync("DELETE FROM folders WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) != 1)
        {
            return false;
        }

        await RemoveOwnedAsync(database, Owner.Folder(name), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<FolderRecord?> FindFolderAsync(string name, CancellationToken cancellationToken) =>
        (await database.QueryAsync("SELECT name, path, created_at FROM folders WHERE name = @name", ReadFolder, cancellationToken, ("@name", name))
            .ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<FolderRecord>> ListFoldersAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT name, path, created_at FROM folders ORDER BY name", ReadFolder, cancellationToken).ConfigureAwait(false);

    public Task SetMountAsync(MountRecord mount, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            INSERT INTO mounts (folder, owner_kind, owner, virtual_path, read_only) VALUES (@folder, @kind, @owner, @path, @readOnly)
            ON CONFLICT (owner_kind, owner, virtual_path) DO UPDATE SET folder = excluded.folder, read_only = excluded.read_only
            """,
            cancellationToken,
            OwnerParameters(mount.Owner, ("@folder", mount.Folder), ("@path", mount.VirtualPath), ("@readOnly", mount.ReadOnly ? 1 : 0)));

    public async Task<bool> RemoveMountAsync(Owner owner, string virtualPath, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "DELETE FROM mounts WHERE owner_kind = @kind AND owner = @owner AND virtual_path = @path",
            cancellationToken,
            OwnerParameters(owner, ("@path", virtualPath))).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyList<MountRecord>> MountsOfAsync(Owner owner, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT folder, owner_kind, owner, virtual_path, read_only FROM mounts WHERE owner_kind = @kind AND owner = @owner ORDER BY virtual_path",
            ReadMount,
            cancellationToken,
            OwnerParameters(owner)).ConfigureAwait(false);

    public async Task<IReadOnlyList<MountRecord>> MountsOfFolderAsync(string folder, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT folder, owner_kind, owner, virtual_path, read_only FROM mounts WHERE folder = @folder ORDER BY owner_kind, owner",
            ReadMount,
            cancellationToken,
            ("@folder", folder)).ConfigureAwait(false);

    public Task SetPermissionAsync(Owner owner, string virtualPath, FilePermissions permissions, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO permissions (owner_kind, owner, virtual_path, permissions) VALUES (@kind, @owner, @path, @permissions) ON CONFLICT (owner_kind, owner, virtual_path) DO UPDATE SET permissions = excluded.permissions",
            cancellationToken,
            OwnerParameters(owner, ("@path", virtualPath), ("@permissions", FilePermissionNames.Format(permissions))));

    public async Task<bool> RemovePermissionAsync(Owner owner, string virtualPath, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "DELETE FROM permissions WHERE owner_kind = @kind AND owner = @owner AND virtual_path = @path",
            cancellationToken,
            OwnerParameters(owner, ("@path", virtualPath))).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyList<PermissionRecord>> PermissionsOfAsync(Owner owner, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT owner_kind, owner, virtual_path, permissions FROM permissions WHERE owner_kind = @kind AND owner = @owner ORDER BY virtual_path",
            reader =>
            {
                FilePermissionNames.TryParse(reader.GetString(3), out var permissions, out _);
                return new PermissionRecord(ReadOwner(reader, 0), reader.GetString(2), permissions);
            },
            cancellationToken,
            OwnerParameters(owner)).ConfigureAwait(false);

    /// <summary>Settings, mounts and permissions have no foreign key (their owner may be a user, group or folder), so they are removed here.</summary>
    internal static async Task RemoveOwnedAsync(AccountDatabase database, Owner owner, CancellationToken cancellationToken)
    {
        foreach (var table in new[] { "settings", "mounts", "permissions" })
        {
            await database.ExecuteAsync($"DELETE FROM {table} WHERE owner_kind = @kind AND owner = @owner", cancellationToken, OwnerParameters(owner)).ConfigureAwait(false);
        }
    }

    private static (string Name, object? Value)[] OwnerParameters(Owner owner, params (string Name, object? Value)[] more) =>
        [("@kind", owner.KindText), ("@owner", owner.Name), .. more];

    private static Owner ReadOwner(DbDataReader reader, int ordinal) => reader.GetString(ordinal) switch
    {
        "user" => Owner.User(reader.GetString(ordinal + 1)),
        "group" => Owner.Group(reader.GetString(ordinal + 1)),
        _ => Owner.Folder(reader.GetString(ordinal + 1)),
    };

    private static GroupRecord ReadGroup(DbDataReader reader) => new(reader.GetString(0), reader.GetString(1), AccountDatabase.Parse(reader.GetString(2)));

    private static FolderRecord ReadFolder(DbDataReader reader) => new(reader.GetString(0), reader.GetString(1), AccountDatabase.Parse(reader.GetString(2)));

    private static MountRecord ReadMount(DbDataReader reader) => new(reader.GetString(0), ReadOwner(reader, 1), reader.GetString(3), reader.GetInt32(4) != 0);
}
