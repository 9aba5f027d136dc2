using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Store;
using Gatehouse.Storage.Access;

namespace Gatehouse.Accounts.Tests;

/// <summary>
/// Each node learning the logins the other nodes recorded in the shared store, so that a round-robin balancer's next
/// connection finds a partner on any node while the store is away; and forgetting what the store no longer allows.
/// </summary>
public sealed class OfflineLoginSyncTests : IDisposable
{
    private static readonly PasswordHashing Hashing = new();
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SqliteTestDatabase _database = new();
    private readonly ManualTime _time = new();
    private readonly SqlAccountStore _accounts;
    private readonly SqlAccessStore _access;
    private readonly OfflineLogins _logins;
    private readonly OfflineLoginSync _sync;

    public OfflineLoginSyncTests()
    {
        var database = _database.Open();
        (_accounts, _access) = (new SqlAccountStore(database), new SqlAccessStore(database));
        _logins = new OfflineLogins(TimeSpan.FromHours(24), _time);
        _sync = new OfflineLoginSync(_logins, _accounts, new AccessPolicyResolver(_access), _time);
    }

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task A_login_recorded_by_another_node_is_learnt_with_its_verifier_and_settings()
    {
        await AddAsync("alice", "alice-password");
        await AddAsync("bob", "bob-password");
        await _access.SetSettingAsync(Owner.User("alice"), SettingCatalog.QuotaBytes, "1073741824", None);
        await _accounts.RecordLoginAsync("alice", _time.GetUtcNow(), None);

        Assert.Equal(1, await _sync.PassAsync(None));

        var alice = _logins.Find("alice");
        Assert.NotNull(alice);
        Assert.True(Hashing.Verify(alice.Account.PasswordHash, "alice-password") != PasswordCheck.Invalid);
        Assert.Equal(1L << 30, alice.Policy.Quota.Bytes);
        Assert.Null(_logins.Find("bob"));
        Assert.Equal(0, await _sync.PassAsync(None));
    }

    [Fact]
    public async Task A_login_older_than_the_lifetime_is_not_learnt()
    {
        await AddAsync("alice", "alice-password");
        await _accounts.RecordLoginAsync("alice", _time.GetUtcNow() - TimeSpan.FromHours(25), None);

        Assert.Equal(0, await _sync.PassAsync(None));
        Assert.Null(_logins.Find("alice"));
    }

    [Fact]
    public async Task A_new_password_a_disabled_account_and_a_removed_one_are_forgotten_at_the_next_pass()
    {
        foreach (var name in new[] { "alice", "bob", "carol" })
        {
            await AddAsync(name, $"{name}-password");
            await _accounts.RecordLoginAsync(name, _time.GetUtcNow(), None);
        }

        await _sync.PassAsync(None);
        await _accounts.SetPasswordHashAsync("alice", Hashing.Hash("new-password"), None);
        await _accounts.SetEnabledAsync("bob", false, None);
        await _accounts.RemoveAsync("carol", None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await _sync.PassAsync(None);

        Assert.True(Hashing.Verify(_logins.Find("alice")!.Account.PasswordHash, "new-password") != PasswordCheck.Invalid);
        Assert.Null(_logins.Find("bob"));
        Assert.Null(_logins.Find("carol"));
    }

    [Fact]
    public async Task Settings_are_read_again_once_the_kept_ones_are_older_than_the_policy_age()
    {
        await AddAsync("alice", "alice-password");
        await _accounts.RecordLoginAsync("alice", _time.GetUtcNow(), None);
        await _sync.PassAsync(None);
        await _access.SetSettingAsync(Owner.User("alice"), SettingCatalog.QuotaBytes, "1048576", None);

        _time.Advance(OfflineLoginSync.PolicyMaxAge - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _sync.PassAsync(None));
        Assert.Null(_logins.Find("alice")!.Policy.Quota.Bytes);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _sync.PassAsync(None));
        Assert.Equal(1L << 20, _logins.Find("alice")!.Policy.Quota.Bytes);
    }

    private Task AddAsync(string name, string password) =>
        _accounts.AddAsync(new Account(name, Hashing.Hash(password), $"/srv/{name}", true, _time.GetUtcNow(), null), None);
}
