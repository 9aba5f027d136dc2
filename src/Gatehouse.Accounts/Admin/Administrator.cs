namespace Gatehouse.Accounts.Admin;

/// <summary>What an administrator may do: an operator reads, an administrator also changes.</summary>
public enum AdminRole
{
    Operator,
    Administrator,
}

/// <summary>An account of the admin side, separate from the FTP users: it cannot log in to FTP, and no FTP user can log in here.</summary>
public sealed record Administrator(string Name, string PasswordHash, AdminRole Role, DateTimeOffset CreatedAt);
