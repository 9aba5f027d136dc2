using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Ldap;
using Gatehouse.Accounts.Store;
using Gatehouse.Storage.Access;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Accounts.Tests;

/// <summary>Cached logins: the password and policy of a partner's last login on this node, used while the store is away.</summary>
public sealed class OfflineLoginsTests
{
    private static readonly PasswordHashing Hashing = new();
    private static readonly string AliceHash = Hashing.Hash("alice-password");
    private readonly ManualTime _time = new();
    private readonly AwayableStore _store = new();

    public OfflineLoginsTests() => _store.Accounts["alice"] = new Account("alice", AliceHash, "/srv/alice", true, DateTimeOffset.UtcNow, null);

    [Fact]
    public async Task While_the_store_is_away_a_partner_who_logged_in_here_gets_in_with_the_settings_of_that_login()
    {
        var offline = new OfflineLogins(TimeSpan.FromHours(24), _time);
        var authenticator = new Authenticator(_store, Hashing, _time, offline: offline);
        var online = await authenticator.AuthenticateAsync("alice", "alice-password", default);
        offline.Remember(online.Account!, Policy("alice", quotaBytes: "1073741824"));

        _store.Away = true;
        _time.Advance(TimeSpan.FromHours(23));
        var result = await authenticator.AuthenticateAsync("alice", "alice-password", default);

        Assert.True(result.Succeeded);
        Assert.Equal("/srv/alice", result.Account!.HomeDirectory);
        Assert.Equal(1L << 30, result.Offline!.Policy.Quota.Bytes);
        Assert.Equal(online.Account!.Name, result.Offline.Account.Name);
    }

    [Fact]
    public async Task While_the_store_is_away_a_wrong_password_is_refused_as_wrong_and_an_unseen_account_is_told_to_retry()
    {
        var offline = new OfflineLogins(TimeSpan.FromHours(24), _time);
        var authenticator = new Authenticator(_store, Hashing, _time, offline: offline);
        offline.Remember((await authenticator.AuthenticateAsync("alice", "alice-password", default)).Account!, Policy("alice"));
        _store.Accounts["bob"] = new Account("bob", Hashing.Hash("bob-password"), "/srv/bob", true, DateTimeOffset.UtcNow, null);

        _store.Away = true;
        Assert.Equal(AuthenticationFailure.WrongPassword, (await authenticator.AuthenticateAsync("alice", "guess", default)).Failure);
        var bob = await authenticator.AuthenticateAsync("bob", "bob-password", default);
        Assert.Equal(AuthenticationFailure.StoreUnavailable, bob.Failure);
        Assert.Contains("knows no login of this account within the last 24 h", bob.Detail, StringComparison.Ordinal);
        Assert.Equal(AuthenticationFailure.StoreUnavailable, (await authenticator.AuthenticateAsync("nobody", "x", default)).Failure);
    }

    [Fact]
    public async Task A_login_older_than_the_lifetime_no_longer_lets_anyone_in()
    {
        var offline = new OfflineLogins(TimeSpan.FromHours(2), _time);
        var authenticator = new Authenticator(_store, Hashing, _time, offline: offline);
        offline.Remember((await authenticator.AuthenticateAsync("alice", "alice-password", default)).Account!, Policy("alice"));

        _store.Away = true;
        _time.Advance(TimeSpan.FromHours(2));
        Assert.True((await authenticator.AuthenticateAsync("alice", "alice-password", default)).Succeeded);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AuthenticationFailure.StoreUnavailable, (await authenticator.AuthenticateAsync("alice", "alice-password", default)).Failure);
        Assert.Null(offline.Find("alice"));
    }

    [Fact]
    public async Task A_lifetime_of_zero_keeps_nothing()
    {
        var offline = new OfflineLogins(TimeSpan.Zero, _time);
        var authenticator = new Authenticator(_store, Hashing, _time, offline: offline);
        offline.Remember((await authenticator.AuthenticateAsync("alice", "alice-password", default)).Account!, Policy("alice"));

        _store.Away = true;
        Assert.False(offline.Enabled);
        var result = await authenticator.AuthenticateAsync("alice", "alice-password", default);
        Assert.Equal(AuthenticationFailure.StoreUnavailable, result.Failure);
        Assert.Contains("AccountStore:OfflineLoginHours is 0", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_the_store_reports_at_a_later_login_drops_the_kept_one()
    {
        var offline = new OfflineLogins(TimeSpan.FromHours(24), _time);
        var authenticator = new Authenticator(_store, Hashing, _time, offline: offline);
        offline.Remember((await authenticator.AuthenticateAsync("alice", "alice-password", default)).Account!, Policy("alice"));

        // An administrator sets a new password; the next login this node sees (here a failed one) learns of it.
        _store.Accounts["alice"] = _store.Accounts["alice"] with { PasswordHash = Hashing.Hash("new-password") };
        Assert.False((await authenticator.AuthenticateAsync("alice", "alice-password", default)).Succeeded);
        _store.Away = true;
        Assert.Equal(AuthenticationFailure.StoreUnavailable, (await authenticator.AuthenticateAsync("alice", "alice-password", default)).Failure);
    }

    [Fact]
    public async Task While_the_store_is_away_a_directory_partner_who_logged_in_before_is_checked_by_the_directory()
    {
        using var database = new SqliteTestDatabase();
        var homes = Directory.CreateTempSubdirectory("gatehouse-offline-homes-");
        var users = new ScriptedDirectory();
        users.Add("carol", "carol-password", "cn=partners,ou=groups,dc=example,dc=org");
        var offline = new OfflineLogins(TimeSpan.FromHours(24), _time);
        var directory = new DirectoryLogin(
            users, new DirectoryGroupMap([new LdapGroupMapping { DirectoryGroup = "partners", Group = "customers" }]), allowUnmappedUsers: false,
            _store, new SqlAccessStore(database.Open()), name => Path.Combine(homes.FullName, name), _time, NullLogger.Instance);
        var authenticator = new Authenticator(_store, Hashing, _time, directory, offline);
        offline.Remember((await authenticator.AuthenticateAsync("Carol", "carol-password", default)).Account!, Policy("carol", quotaBytes: "1048576"));

        _store.Away = true;
        var again = await authenticator.AuthenticateAsync("Carol", "carol-password", default);
        Assert.True(again.Succeeded, again.Detail);
        Assert.Equal(1L << 20, again.Offline!.Policy.Quota.Bytes);
        Assert.Equal(AuthenticationFailure.WrongPassword, (await authenticator.AuthenticateAsync("carol", "guess", default)).Failure);
        users.Add("carol", "carol-password", "cn=unmapped,dc=example,dc=org");
        Assert.Equal(AuthenticationFailure.NotPermitted, (await authenticator.AuthenticateAsync("carol", "carol-password", default)).Failure);
        users.Down = true;
        Assert.Equal(AuthenticationFailure.DirectoryUnavailable, (await authenticator.AuthenticateAsync("carol", "carol-password", default)).Failure);
        homes.Delete(recursive: true);
    }

    private static AccessPolicy Policy(string user, string? quotaBytes = null)
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        if (quotaBytes is not null)
        {
            own[SettingCatalog.QuotaBytes] = quotaBytes;
        }

        return new AccessPolicy([], SettingMerger.Merge(user, own, []), [], new PermissionTable([]), []);
    }

    /// <summary>Accounts in memory; while <see cref="Away"/>, every call fails as the SQL store does when the database is unreachable.</summary>
    private sealed class AwayableStore : IAccountStore
    {
        public Dictionary<string, Account> Accounts { get; } = new(StringComparer.Ordinal);

        public bool Away { get; set; }

        public Task<Account?> FindAsync(string name, CancellationToken cancellationToken) => Run(() => Accounts.GetValueOrDefault(name));

        public Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken) => Run<IReadOnlyList<Account>>(() => [.. Accounts.Values]);

        public Task<IReadOnlyList<Account>> ListLoggedInSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
            Run<IReadOnlyList<Account>>(() => [.. Accounts.Values.Where(account => account.LastLoginAt >= since)]);

        public Task<int> CountAsync(CancellationToken cancellationToken) => Run(() => Accounts.Count);

        public Task<bool> AddAsync(Account account, CancellationToken cancellationToken) => Run(() => Accounts.TryAdd(account.Name, account));

        public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) => Run(() => Accounts.Remove(name));

        public Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken) =>
            Run(() => Accounts.TryGetValue(name, out var account) && (Accounts[name] = account with { PasswordHash = passwordHash }) is not null);

        public Task<bool> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken) =>
            Run(() => Accounts.TryGetValue(name, out var account) && (Accounts[name] = account with { Enabled = enabled }) is not null);

        public Task<bool> SetHomeDirectoryAsync(string name, string homeDirectory, CancellationToken cancellationToken) =>
            Run(() => Accounts.TryGetValue(name, out var account) && (Accounts[name] = account with { HomeDirectory = homeDirectory }) is not null);

        public Task RecordLoginAsync(string name, DateTimeOffset time, CancellationToken cancellationToken) => Run(() => true);

        private Task<T> Run<T>(Func<T> answer) =>
            Away ? Task.FromException<T>(new StoreUnavailableException("test store", new TimeoutException("no answer"))) : Task.FromResult(answer());
    }
}
