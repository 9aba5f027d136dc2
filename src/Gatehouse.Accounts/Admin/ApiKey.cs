using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Accounts.Admin;

/// <summary>What a key opens: read (every GET), write (read and every change), metrics (the scrape endpoint alone).</summary>
public enum ApiKeyScope
{
    Read,
    Write,
    Metrics,
}

/// <summary>
/// A stored API key: its name and the SHA-256 of the secret, which itself is shown once and never stored. A key with
/// <see cref="Users"/> or <see cref="Groups"/> reaches only those users and the members of those groups
/// (<see cref="IsLimited"/>); empty lists mean every user.
/// </summary>
public sealed record ApiKey(
    string Name, string KeyHash, ApiKeyScope Scope, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, IReadOnlyList<string>? Users = null, IReadOnlyList<string>? Groups = null)
{
    /// <summary>Distinguishes Gatehouse keys in logs and secret scanners.</summary>
    public const string Prefix = "ghk_";

    public bool IsLimited => Users is { Count: > 0 } || Groups is { Count: > 0 };

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    /// <summary>
    /// A new secret: 256 random bits. A plain SHA-256 suffices to store it (unlike a password, it cannot be guessed
    /// from a list, so a slow hash would only slow every request).
    /// </summary>
    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
