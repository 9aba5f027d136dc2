using Gatehouse.Accounts.Ldap;

namespace Gatehouse.Accounts.Tests;

/// <summary>A directory whose users, passwords, groups and outages the test writes.</summary>
internal sealed class ScriptedDirectory : IUserDirectory
{
    private readonly Dictionary<string, (string Password, string[] Groups)> _users = new(StringComparer.Ordinal);

    public bool Down { get; set; }

    public List<string> Asked { get; } = [];

    public string Address => "ldap://scripted";

    public void Add(string name, string password, params string[] groups) => _users[name] = (password, groups);

    public Task<DirectoryVerification> VerifyAsync(string name, string password, CancellationToken cancellationToken)
    {
        Asked.Add(name);
        var dn = $"uid={name},ou=people,dc=example,dc=org";
        return Task.FromResult(
            Down ? DirectoryVerification.Failed(DirectoryOutcome.Unavailable, "directory down")
            : !_users.TryGetValue(name, out var user) ? DirectoryVerification.Failed(DirectoryOutcome.UnknownUser, "no entry")
            : user.Password != password ? DirectoryVerification.Failed(DirectoryOutcome.WrongPassword, "wrong password")
            : new DirectoryVerification(DirectoryOutcome.Verified, dn, user.Groups, dn));
    }
}
