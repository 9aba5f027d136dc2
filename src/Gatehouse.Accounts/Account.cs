namespace Gatehouse.Accounts;

public sealed record Account(
    string Name,
    string PasswordHash,
    string HomeDirectory,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLoginAt);
