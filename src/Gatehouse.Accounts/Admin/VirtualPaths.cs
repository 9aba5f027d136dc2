using Gatehouse.Storage;

namespace Gatehouse.Accounts.Admin;

/// <summary>An administrator's virtual path ("/shared/prices/", "shared//prices") normalized the way the server will see it.</summary>
public static class VirtualPaths
{
    public static bool TryParse(string? text, bool allowRoot, out VirtualPath path, out string error)
    {
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith('/'))
        {
            path = default;
            error = $"'{text}' is not an absolute virtual path; write it as the user sees it, for example /shared/prices.";
            return false;
        }

        if (!VirtualPath.TryResolve(VirtualPath.Root, text, out path, out error))
        {
            return false;
        }

        if (path.IsRoot && !allowRoot)
        {
            error = "A folder cannot be mounted at / (that is the user's home); choose a path such as /shared/prices.";
            return false;
        }

        return true;
    }
}
