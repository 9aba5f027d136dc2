using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Store;
using Gatehouse.Storage.Access;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteAccessStoreTests() : AccessStoreTests(new SqliteTestDatabase());

[Collection(PostgresCollection.Name)]
public sealed class PostgresAccessStoreTests(PostgresServer server) : AccessStoreTests(new PostgresTestDatabase(server));

public abstract class AccessStoreTests : IDisposable
{
    private readonly TestDatabase _database;
    private readonly SqlAccountStore _accounts;
    private readonly SqlAccessStore _access;

    protected AccessStoreTests(TestDatabase database)
    {
        _database = database;
        var opened = database.Open();
        _accounts = new SqlAccountStore(opened);
        _access = new SqlAccessStore(opened);
    }

    public void Dispose()
    {
        _database.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task The_resolver_merges_a_users_groups_folders_and_permissions()
    {
        var none = CancellationToken.None;
        await _accounts.AddAsync(new Account("alice", "hash", "/home/alice", true, DateTimeOffset.UtcNow, null), none);
        await _access.AddGroupAsync("customers", string.Empty, none);
        await _access.AddGroupAsync("partners", string.Empty, none);
        await _access.AddMemberAsync("alice", "customers", none);
        await _access.AddMemberAsync("alice", "partners", none);
        await _access.AddFolderAsync("prices", "/srv/prices", none);
        await _access.AddFolderAsync("drop", "/srv/drop", none);
        await _access.SetSettingAsync(Owner.Folder("drop"), SettingCatalog.QuotaFiles, "10", none);
        await _access.SetMountAsync(new MountRecord("prices", Owner.Group("customers"), "/shared/prices", true), none);
        await _access.SetMountAsync(new MountRecord("drop", Owner.Group("partners"), "/drop", false), none);
        await _access.SetPermissionAsync(Owner.Group("customers"), "/", FilePermissions.ReadOnly, none);
        await _access.SetSettingAsync(Owner.Group("partners"), SettingCatalog.Tls, "required", none);

        var policy = await new AccessPolicyResolver(_access).ResolveAsync("alice", none);
        Assert.Equal(["customers", "partners"], policy.Groups);
        Assert.Equal(["/drop", "/shared/prices"], policy.Mounts.Select(mount => mount.At.Value).Order());
        Assert.True(policy.Mounts.Single(mount => mount.Folder.Name == "prices").ReadOnly);
        Assert.Equal(10, policy.Mounts.Single(mount => mount.Folder.Name == "drop").Quota.Files);
        Assert.True(policy.TlsRequired);
        Assert.Equal(FilePermissions.ReadOnly, policy.Permissions.Resolve(Storage.VirtualPath.Root).Permissions);

        Assert.True(await _access.RemoveGroupAsync("partners", none));
        var after = await new AccessPolicyResolver(_access).ResolveAsync("alice", none);
        Assert.Equal(["customers"], after.Groups);
        Assert.False(after.TlsRequired);
        Assert.Equal(["/shared/prices"], after.Mounts.Select(mount => mount.At.Value));
    }

    [Fact]
    public async Task Removing_a_user_removes_memberships_and_own_rules()
    {
        var none = CancellationToken.None;
        await _accounts.AddAsync(new Account("bob", "hash", "/home/bob", true, DateTimeOffset.UtcNow, null), none);
        await _access.AddGroupAsync("g", string.Empty, none);
        await _access.AddMemberAsync("bob", "g", none);
        await _access.SetSettingAsync(Owner.User("bob"), SettingCatalog.MaxSessions, "2", none);
        await _access.SetPermissionAsync(Owner.User("bob"), "/x", FilePermissions.List, none);
        Assert.True(await _accounts.RemoveAsync("bob", none));
        Assert.Empty(await _access.MembersOfAsync("g", none));
        Assert.Empty(await _access.SettingsOfAsync(Owner.User("bob"), none));
        Assert.Empty(await _access.PermissionsOfAsync(Owner.User("bob"), none));
    }

    [Fact]
    public void Mount_conflicts_between_groups_are_resolved_and_reported()
    {
        var folders = new Dictionary<string, (FolderRecord, Storage.Quotas.QuotaLimits)>
        {
            ["a"] = (new FolderRecord("a", "/srv/a", DateTimeOffset.UtcNow), Storage.Quotas.QuotaLimits.None),
            ["b"] = (new FolderRecord("b", "/srv/b", DateTimeOffset.UtcNow), Storage.Quotas.QuotaLimits.None),
        };
        var conflicts = new List<string>();
        var mounts = AccessPolicyResolver.MergeMounts(
        [
            new MountRecord("b", Owner.Group("zeta"), "/x", false),
            new MountRecord("a", Owner.Group("alpha"), "/x", true),
            new MountRecord("a", Owner.Group("beta"), "/x", false),
        ], folders, conflicts);
        var mount = Assert.Single(mounts);
        Assert.Equal("a", mount.Folder.Name);
        Assert.False(mount.ReadOnly);
        Assert.Contains("group zeta mounts folder b", Assert.Single(conflicts), StringComparison.Ordinal);
    }
}
