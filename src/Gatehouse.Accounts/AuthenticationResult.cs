namespace Gatehouse.Accounts;

public enum AuthenticationFailure
{
    None,
    UnknownUser,
    WrongPassword,
    Disabled,

    /// <summary>The password was right but a rule refuses the account (a directory user in no mapped group, a name clash).</summary>
    NotPermitted,

    /// <summary>The directory gave no answer; the client is told to try later, and it is not held against the address.</summary>
    DirectoryUnavailable,

    /// <summary>
    /// The account store is unreachable and this node has no login of the name within AccountStore:OfflineLoginHours to
    /// check the password against: the client is told to try again shortly, and it is not held against the address.
    /// </summary>
    StoreUnavailable,
}

/// <summary>The client is only ever told "login incorrect" (or, with the directory down, "try later"); <see cref="Failure"/> and <see cref="Detail"/> are for the log.</summary>
/// <param name="Offline">The password was checked against this node's last login of the account, the store being unreachable.</param>
public sealed record AuthenticationResult(Account? Account, AuthenticationFailure Failure, string Detail = "", OfflineLogin? Offline = null)
{
    public bool Succeeded => Account is not null;
}
