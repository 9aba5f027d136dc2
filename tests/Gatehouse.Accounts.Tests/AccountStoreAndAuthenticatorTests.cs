using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteAccountStoreTests() : AccountStoreAndAuthenticatorTests(new SqliteTestDatabase());

[Collection(PostgresCollection.Name)]
public sealed class PostgresAccountStoreTests(PostgresServer server) : AccountStoreAndAuthenticatorTests(new PostgresTestDatabase(server));

public abstract class AccountStoreAndAuthenticatorTests : IDisposable
{
    private readonly TestDatabase _database;
    private readonly SqlAccountStore _store;
    private readonly PasswordHashing _hashing = new();

    protected AccountStoreAndAuthenticatorTests(TestDatabase database)
    {
        _database = database;
        _store = new SqlAccountStore(database.Open());
    }

    public void Dispose()
    {
        _database.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task<bool> AddAsync(string name, string password, bool enabled = true) =>
        _store.AddAsync(new Account(name, _hashing.Hash(password), "/srv/" + name, enabled, DateTimeOffset.UtcNow, null), default);

    [Fact]
    public async Task Store_adds_finds_lists_and_removes_accounts()
    {
        Assert.True(await AddAsync("alice", "pw-alice"));
        Assert.False(await AddAsync("alice", "other"));
        Assert.True(await AddAsync("bob", "pw-bob"));
        Assert.Equal(2, await _store.CountAsync(default));
        Assert.Equal(["alice", "bob"], (await _store.ListAsync(default)).Select(a => a.Name));
        var alice = await _store.FindAsync("alice", default);
        Assert.Equal("/srv/alice", alice!.HomeDirectory);
        Assert.Null(alice.LastLoginAt);
        Assert.True(await _store.RemoveAsync("alice", default));
        Assert.Null(await _store.FindAsync("alice", default));
        Assert.False(await _store.RemoveAsync("alice", default));
    }

    [Fact]
    public async Task Store_survives_reopening_with_the_same_schema()
    {
        await AddAsync("carol", "pw");
        var reopened = new SqlAccountStore(_database.Open());
        Assert.NotNull(await reopened.FindAsync("carol", default));
    }

    [Fact]
    public async Task Authenticator_reports_each_failure_reason_and_records_the_login()
    {
        await AddAsync("alice", "right");
        await AddAsync("off", "right", enabled: false);
        var authenticator = new Authenticator(_store, _hashing, TimeProvider.System);

        Assert.Equal(AuthenticationFailure.UnknownUser, (await authenticator.AuthenticateAsync("nobody", "x", default)).Failure);
        Assert.Equal(AuthenticationFailure.WrongPassword, (await authenticator.AuthenticateAsync("alice", "wrong", default)).Failure);
        Assert.Equal(AuthenticationFailure.Disabled, (await authenticator.AuthenticateAsync("off", "right", default)).Failure);
        var ok = await authenticator.AuthenticateAsync("alice", "right", default);
        Assert.True(ok.Succeeded);
        Assert.NotNull((await _store.FindAsync("alice", default))!.LastLoginAt);
    }

    [Fact]
    public async Task Cached_success_is_invalidated_by_password_change_and_disable()
    {
        await AddAsync("alice", "old");
        var authenticator = new Authenticator(_store, _hashing, TimeProvider.System);
        Assert.True((await authenticator.AuthenticateAsync("alice", "old", default)).Succeeded);
        Assert.True((await authenticator.AuthenticateAsync("alice", "old", default)).Succeeded);
        Assert.Equal(1, authenticator.KeyDerivations);

        await _store.SetPasswordHashAsync("alice", _hashing.Hash("new"), default);
        Assert.False((await authenticator.AuthenticateAsync("alice", "old", default)).Succeeded);
        Assert.True((await authenticator.AuthenticateAsync("alice", "new", default)).Succeeded);

        await _store.SetEnabledAsync("alice", false, default);
        Assert.Equal(AuthenticationFailure.Disabled, (await authenticator.AuthenticateAsync("alice", "new", default)).Failure);
    }

    [Fact]
    public async Task Unknown_user_names_pay_a_full_key_derivation_like_known_ones()
    {
        await AddAsync("alice", "pw");
        var authenticator = new Authenticator(_store, _hashing, TimeProvider.System);
        Assert.Equal(AuthenticationFailure.UnknownUser, (await authenticator.AuthenticateAsync("mallory", "guess", default)).Failure);
        Assert.Equal(1, authenticator.KeyDerivations);
        Assert.Equal(AuthenticationFailure.WrongPassword, (await authenticator.AuthenticateAsync("alice", "guess", default)).Failure);
        Assert.Equal(2, authenticator.KeyDerivations);
    }

    [Fact]
    public async Task Concurrent_identical_logins_share_one_key_derivation()
    {
        await AddAsync("alice", "pw");
        var authenticator = new Authenticator(_store, _hashing, TimeProvider.System);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => authenticator.AuthenticateAsync("alice", "pw", default)));
        Assert.All(results, result => Assert.True(result.Succeeded));
        Assert.True(authenticator.KeyDerivations < 20, $"{authenticator.KeyDerivations} derivations for 20 identical logins");
    }

    [Fact]
    public async Task Cache_entry_expires_after_its_lifetime()
    {
        await AddAsync("alice", "pw");
        var time = new ManualTime();
        var authenticator = new Authenticator(_store, _hashing, time);
        Assert.True((await authenticator.AuthenticateAsync("alice", "pw", default)).Succeeded);
        time.Advance(Authenticator.CacheLifetime - TimeSpan.FromSeconds(1));
        Assert.True((await authenticator.AuthenticateAsync("alice", "pw", default)).Succeeded);
        Assert.Equal(1, authenticator.KeyDerivations);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await authenticator.AuthenticateAsync("alice", "pw", default)).Succeeded);
        Assert.Equal(2, authenticator.KeyDerivations);
    }

    [Fact]
    public async Task Login_time_is_written_at_most_once_per_resolution_interval()
    {
        await AddAsync("alice", "pw");
        var time = new ManualTime();
        var authenticator = new Authenticator(_store, _hashing, time);
        async Task<DateTimeOffset?> LoginAsync()
        {
            Assert.True((await authenticator.AuthenticateAsync("alice", "pw", default)).Succeeded);
            return (await _store.FindAsync("alice", default))!.LastLoginAt;
        }

        var first = await LoginAsync();
        Assert.NotNull(first);
        time.Advance(Authenticator.LoginRecordResolution - TimeSpan.FromSeconds(1));
        Assert.Equal(first, await LoginAsync());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(first + Authenticator.LoginRecordResolution + TimeSpan.FromSeconds(1), await LoginAsync());
    }
}
