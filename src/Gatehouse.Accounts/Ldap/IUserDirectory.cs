namespace Gatehouse.Accounts.Ldap;

public enum DirectoryOutcome
{
    Verified,
    UnknownUser,
    WrongPassword,

    /// <summary>The directory could not give an answer (down, too slow, misconfigured); the user's password is neither right nor wrong.</summary>
    Unavailable,
}

/// <param name="Groups">Distinguished names of the directory groups the user belongs to.</param>
/// <param name="Detail">For the operator's log: the user's DN, or why the directory gave no answer.</param>
public sealed record DirectoryVerification(DirectoryOutcome Outcome, string DistinguishedName, IReadOnlyList<string> Groups, string Detail)
{
    public static DirectoryVerification Failed(DirectoryOutcome outcome, string detail) => new(outcome, string.Empty, [], detail);
}

/// <summary>An external user directory (LDAP, Active Directory) that verifies passwords and lists group memberships.</summary>
public interface IUserDirectory
{
    /// <summary>Where the directory is, for log lines.</summary>
    string Address { get; }

    /// <summary>Answers within the configured time-out, whatever the directory does.</summary>
    Task<DirectoryVerification> VerifyAsync(string name, string password, CancellationToken cancellationToken);
}
