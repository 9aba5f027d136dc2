namespace Gatehouse.Accounts;

/// <param name="Source">"local" for accounts with a password here, "ldap" for accounts created on first directory login.</param>
public sealed record Account(
    string Name,
    string PasswordHash,
    string HomeDirectory,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLoginAt,
    string Source = Account.LocalSource)
{
    public const string LocalSource = "local";
    public const string DirectorySource = "ldap";
}
