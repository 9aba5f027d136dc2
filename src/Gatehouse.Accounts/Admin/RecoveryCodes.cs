using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Accounts.Admin;

/// <summary>
/// One-time codes that replace the authenticator once each: 50 random bits apiece, written "abcde-fghij". Like API keys
/// they cannot be guessed from a list, so a plain SHA-256 suffices to store them; the code lockout bounds guessing.
/// </summary>
public static class RecoveryCodes
{
    public const int Count = 10;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int Length = 10;

    public static IReadOnlyList<string> New() =>
        [.. Enumerable.Range(0, Count).Select(_ =>
        {
            var code = RandomNumberGenerator.GetString(Alphabet, Length);
            return $"{code[..5]}-{code[5..]}";
        })];

    /// <summary>The code as typed (any case, with or without the dash or spaces), if it has the form of one.</summary>
    public static bool TryNormalize(string typed, out string code)
    {
        code = new string([.. typed.ToLowerInvariant().Where(character => character is not ('-' or ' '))]);
        return code.Length == Length && code.All(character => Alphabet.Contains(character, StringComparison.Ordinal));
    }

    public static string HashOf(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(TryNormalize(code, out var normalized) ? normalized : code)));
}
