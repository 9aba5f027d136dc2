namespace Gatehouse.Storage.Access;

/// <summary>The names administrators write ("list,download,upload") and read back.</summary>
public static class FilePermissionNames
{
    private static readonly (FilePermissions Permission, string Name, string[] Aliases)[] Names =
    [
        (FilePermissions.List, "list", []),
        (FilePermissions.Download, "download", ["read"]),
        (FilePermissions.Upload, "upload", ["write"]),
        (FilePermissions.Overwrite, "overwrite", []),
        (FilePermissions.Delete, "delete", []),
        (FilePermissions.Rename, "rename", []),
        (FilePermissions.CreateDirectories, "create-dirs", ["mkdir", "create_dirs", "createdirs"]),
        (FilePermissions.RemoveDirectories, "remove-dirs", ["rmdir", "remove_dirs", "removedirs"]),
        (FilePermissions.SetTimes, "set-times", ["settime", "set_times", "settimes", "chtimes"]),
    ];

    public static string Describe(FilePermissions permission) =>
        Names.FirstOrDefault(entry => entry.Permission == permission).Name ?? permission.ToString();

    public static string Format(FilePermissions permissions)
    {
        if (permissions == FilePermissions.None)
        {
            return "none";
        }

        return permissions == FilePermissions.All
            ? "all"
            : string.Join(',', Names.Where(entry => permissions.HasFlag(entry.Permission)).Select(entry => entry.Name));
    }

    /// <summary>Parses "list,download", "all" or "none".</summary>
    public static bool TryParse(string? text, out FilePermissions permissions, out string error)
    {
        permissions = FilePermissions.None;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "No permissions given; write for example list,download or all or none.";
            return false;
        }

        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var word = raw.ToLowerInvariant();
            if (word is "all" or "*")
            {
                permissions |= FilePermissions.All;
                continue;
            }

            if (word == "none")
            {
                continue;
            }

            var match = Names.FirstOrDefault(entry => entry.Name == word || entry.Aliases.Contains(word));
            if (match.Name is null)
            {
                error = $"Unknown permission '{raw}'. Known: {string.Join(", ", Names.Select(entry => entry.Name))}, all, none.";
                return false;
            }

            permissions |= match.Permission;
        }

        return true;
    }
}
