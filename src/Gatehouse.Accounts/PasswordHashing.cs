using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Gatehouse.Accounts;

/// <summary>PBKDF2-HMAC-SHA512 with a random salt (ASP.NET Core Identity's V3 format), at OWASP's iteration count.</summary>
public sealed class PasswordHashing
{
    /// <summary>OWASP Password Storage Cheat Sheet (2023) for PBKDF2-HMAC-SHA512.</summary>
    public const int Iterations = 210_000;

    public const int MaxPasswordLength = 128;

    private const string Subject = "gatehouse";

    private readonly PasswordHasher<string> _hasher = new(Options.Create(new PasswordHasherOptions
    {
        CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
        IterationCount = Iterations,
    }));

    public string Hash(string password) => _hasher.HashPassword(Subject, password);

    public PasswordCheck Verify(string hash, string password) =>
        _hasher.VerifyHashedPassword(Subject, hash, password) switch
        {
            PasswordVerificationResult.Success => PasswordCheck.Valid,
            PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.ValidNeedsRehash,
            _ => PasswordCheck.Invalid,
        };
}

public enum PasswordCheck
{
    Invalid,
    Valid,
    ValidNeedsRehash,
}
