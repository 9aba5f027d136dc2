namespace Gatehouse.Accounts;

public static class AccountNames
{
    public const int MaxLength = 64;

    /// <summary>Names are also directory names under the data directory, so the alphabet is conservative.</summary>
    public static bool IsValid(string? name, out string error)
    {
        error = string.Empty;
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            error = $"A user name must be 1 to {MaxLength} characters long.";
            return false;
        }

        if (name[0] is '.' or '-')
        {
            error = "A user name must not start with '.' or '-'.";
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
            {
                error = "A user name may contain only letters, digits, '.', '_', '-' and '@'.";
                return false;
            }
        }

        return true;
    }
}
