namespace Gatehouse.Accounts.Admin;

/// <summary>What an administrator may do: an operator reads, an administrator also changes.</summary>
public enum AdminRole
{
    Operator,
    Administrator,
}

/// <summary>An account of the admin side, separate from the FTP users: it cannot log in to FTP, and no FTP user can log in here.</summary>
/// <param name="TotpSecret">The base32 secret of the second factor, null until the first browser login enrols it.</param>
/// <param name="LockedUntil">Set by <see cref="AdminLogin"/> after too many wrong passwords or codes.</param>
public sealed record Administrator(
    string Name, string PasswordHash, AdminRole Role, DateTimeOffset CreatedAt, string? TotpSecret = null, DateTimeOffset? LockedUntil = null);

/// <summary>Which step of a browser login failed: each has its own counter towards the lockout.</summary>
public enum AdminLoginStep
{
    Password,
    Code,
}
