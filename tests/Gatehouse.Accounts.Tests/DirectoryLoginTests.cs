using Gatehouse.Accounts.Ldap;
using Gatehouse.Accounts.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Accounts.Tests;

/// <summary>Directory logins with a scripted directory: account creation, group sync, coexistence with local accounts.</summary>
public sealed class DirectoryLoginTests : IDisposable
{
    private const string PartnersDn = "cn=partners,ou=groups,dc=example,dc=org";
    private const string StaffDn = "cn=staff,ou=groups,dc=example,dc=org";

    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-directory-").FullName;
    private readonly SqliteTestDatabase _database = new();
    private readonly SqlAccountStore _accounts;
    private readonly SqlAccessStore _access;
    private readonly ScriptedDirectory _users = new();
    private readonly PasswordHashing _hashing = new();

    public DirectoryLoginTests()
    {
        var database = _database.Open();
        _accounts = new SqlAccountStore(database);
        _access = new SqlAccessStore(database);
    }

    public void Dispose()
    {
        _database.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private Authenticator Authenticator(bool allowUnmapped = false) => new(_accounts, _hashing, TimeProvider.System, new DirectoryLogin(
        _users,
        new DirectoryGroupMap([new LdapGroupMapping { DirectoryGroup = "partners", Group = "customers" }, new LdapGroupMapping { DirectoryGroup = StaffDn, Group = "employees" }]),
        allowUnmapped,
        _accounts,
        _access,
        name => Path.Combine(_directory, "home", name),
        TimeProvider.System,
        NullLogger.Instance));

    [Fact]
    public async Task First_login_creates_a_lower_case_directory_account_with_home_and_mapped_groups()
    {
        await _access.AddGroupAsync("customers", string.Empty, default);
        await _access.AddGroupAsync("employees", string.Empty, default);
        _users.Add("alice", "secret", PartnersDn, StaffDn, "cn=unmapped,dc=example,dc=org");

        var result = await Authenticator().AuthenticateAsync("Alice", "secret", default);

        Assert.True(result.Succeeded, result.Detail);
        var account = await _accounts.FindAsync("alice", default);
        Assert.Equal(Account.DirectorySource, account!.Source);
        Assert.Equal(string.Empty, account.PasswordHash);
        Assert.True(Directory.Exists(Path.Combine(_directory, "home", "alice")));
        Assert.Equal(["customers", "employees"], await _access.GroupsOfAsync("alice", default));
        Assert.Equal(["alice"], _users.Asked);
    }

    [Fact]
    public async Task Mapped_memberships_follow_the_directory_and_hand_added_groups_stay()
    {
        foreach (var group in new[] { "customers", "employees", "auditors" })
        {
            await _access.AddGroupAsync(group, string.Empty, default);
        }

        _users.Add("alice", "secret", PartnersDn, StaffDn);
        Assert.True((await Authenticator().AuthenticateAsync("alice", "secret", default)).Succeeded);
        await _access.AddMemberAsync("alice", "auditors", default);

        _users.Add("alice", "secret", PartnersDn);
        Assert.True((await Authenticator().AuthenticateAsync("alice", "secret", default)).Succeeded);

        Assert.Equal(["auditors", "customers"], await _access.GroupsOfAsync("alice", default));
    }

    [Fact]
    public async Task A_mapping_to_a_group_that_does_not_exist_is_skipped_not_fatal()
    {
        await _access.AddGroupAsync("customers", string.Empty, default);
        _users.Add("alice", "secret", PartnersDn, StaffDn);

        Assert.True((await Authenticator().AuthenticateAsync("alice", "secret", default)).Succeeded);
        Assert.Equal(["customers"], await _access.GroupsOfAsync("alice", default));
    }

    [Fact]
    public async Task A_user_in_no_mapped_group_is_refused_unless_unmapped_users_are_allowed()
    {
        _users.Add("carol", "secret", "cn=unmapped,dc=example,dc=org");

        var refused = await Authenticator().AuthenticateAsync("carol", "secret", default);
        Assert.Equal(AuthenticationFailure.NotPermitted, refused.Failure);
        Assert.Contains("cn=unmapped,dc=example,dc=org", refused.Detail, StringComparison.Ordinal);
        Assert.Null(await _accounts.FindAsync("carol", default));

        Assert.True((await Authenticator(allowUnmapped: true).AuthenticateAsync("carol", "secret", default)).Succeeded);
    }

    [Fact]
    public async Task Local_accounts_never_ask_the_directory_and_their_names_cannot_be_taken_over()
    {
        await _accounts.AddAsync(new Account("dave", _hashing.Hash("local-password"), "/srv/dave", true, DateTimeOffset.UtcNow, null), default);
        _users.Add("dave", "directory-password", PartnersDn);

        Assert.True((await Authenticator().AuthenticateAsync("dave", "local-password", default)).Succeeded);
        Assert.Equal(AuthenticationFailure.WrongPassword, (await Authenticator().AuthenticateAsync("dave", "directory-password", default)).Failure);
        var upperCase = await Authenticator().AuthenticateAsync("DAVE", "directory-password", default);
        Assert.Equal(AuthenticationFailure.NotPermitted, upperCase.Failure);
        Assert.Empty(_users.Asked);
    }

    [Fact]
    public async Task Directory_outcomes_pass_through_and_a_disabled_account_stays_disabled()
    {
        _users.Add("alice", "secret", PartnersDn);
        var authenticator = Authenticator();

        Assert.Equal(AuthenticationFailure.WrongPassword, (await authenticator.AuthenticateAsync("alice", "wrong", default)).Failure);
        Assert.Equal(AuthenticationFailure.UnknownUser, (await authenticator.AuthenticateAsync("nobody", "secret", default)).Failure);
        Assert.Equal(AuthenticationFailure.UnknownUser, (await authenticator.AuthenticateAsync("bad/name", "secret", default)).Failure);
        _users.Down = true;
        var down = await authenticator.AuthenticateAsync("alice", "secret", default);
        Assert.Equal(AuthenticationFailure.DirectoryUnavailable, down.Failure);
        Assert.Equal("directory down", down.Detail);

        _users.Down = false;
        Assert.True((await authenticator.AuthenticateAsync("alice", "secret", default)).Succeeded);
        await _accounts.SetEnabledAsync("alice", false, default);
        Assert.Equal(AuthenticationFailure.Disabled, (await authenticator.AuthenticateAsync("alice", "secret", default)).Failure);
    }

    [Fact]
    public async Task Without_a_directory_a_directory_account_cannot_log_in()
    {
        await _accounts.AddAsync(new Account("alice", string.Empty, "/srv/alice", true, DateTimeOffset.UtcNow, null, Account.DirectorySource), default);

        var result = await new Authenticator(_accounts, _hashing, TimeProvider.System).AuthenticateAsync("alice", string.Empty, default);

        Assert.Equal(AuthenticationFailure.NotPermitted, result.Failure);
        Assert.Contains("Ldap:Enabled", result.Detail, StringComparison.Ordinal);
    }
}
