namespace Gatehouse.Accounts;

public enum AuthenticationFailure
{
    None,
    UnknownUser,
    WrongPassword,
    Disabled,
}

/// <summary>The client is only ever told "login incorrect"; <see cref="Failure"/> is for the log.</summary>
public sealed record AuthenticationResult(Account? Account, AuthenticationFailure Failure)
{
    public bool Succeeded => Account is not null;
}
