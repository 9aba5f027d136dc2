namespace Gatehouse.Accounts;

/// <summary>What a new password must be: long enough, not the user name, not a well-known password, not one repeated pattern.</summary>
public sealed class PasswordPolicy(int minimumLength)
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "password1", "password12", "password123", "password1234", "passw0rd", "p@ssw0rd", "p@ssword",
        "123456789012", "1234567890", "12345678", "123456789", "qwertyuiop", "qwertyuiopas", "qwerty123456",
        "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "iloveyou1234", "letmein12345", "welcome12345", "welcome123",
        "administrator", "admin1234567", "changeme1234", "changeme", "trustno1trustno1", "football1234", "baseball1234",
        "sunshine1234", "princess1234", "dragon123456", "monkey123456", "abc123456789", "abcdefghijkl", "secret123456",
        "gatehouse123", "gatehouse1234", "ftpuser12345", "sftpgo123456", "summer2026!!", "winter2026!!", "spring2026!!",
    };

    public int MinimumLength { get; } = minimumLength;

    /// <returns>Null when acceptable, else what is wrong and what to do.</returns>
    public string? Check(string user, string password)
    {
        if (password.Length < MinimumLength)
        {
            return $"The password is too short: use at least {MinimumLength} characters (a few random words work well).";
        }

        if (password.Length > PasswordHashing.MaxPasswordLength)
        {
            return $"The password is longer than {PasswordHashing.MaxPasswordLength} characters.";
        }

        if (password.Contains(user, StringComparison.OrdinalIgnoreCase))
        {
            return "The password must not contain the user name.";
        }

        if (Common.Contains(password) || Common.Contains(password.TrimEnd('!', '.', '1', '?')))
        {
            return "The password is on lists of commonly used passwords; choose another.";
        }

        if (password.Distinct().Count() < 5 || IsSequence(password))
        {
            return "The password is too simple (repeated characters or a keyboard/number sequence); choose another.";
        }

        return null;
    }

    /// <summary>Mostly runs of neighbouring characters: "123456789012", "abcdefghijkl", "aabbccddeeff".</summary>
    private static bool IsSequence(string password)
    {
        var neighbours = password.Zip(password.Skip(1), (a, b) => Math.Abs(b - a) <= 1).Count(close => close);
        return neighbours >= (password.Length - 1) * 0.8;
    }
}
