namespace Gatehouse.Accounts.Admin;

/// <summary>
/// Which real directories a home or a shared folder may be: an absolute path that is neither the data directory nor
/// one of its parents. Otherwise an FTP user would see the account database with its password hashes, and the TLS key
/// (a home of "/", or of the data directory's parent). The data directory's own files sit at its top level, so a
/// directory below it (home/NAME, exchange/drop) shows none of them. The CLI makes a relative path absolute from its
/// working directory first; the API has no working directory and refuses one.
/// </summary>
public sealed class DirectoryConfinement(string dataDirectory)
{
    private readonly string _data = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));

    /// <returns>The normalized path, or the refusal naming <paramref name="field"/>.</returns>
    public (string? Path, AdminRefusal? Refusal) Check(string field, string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path))
        {
            return (null, AdminRefusal.Invalid(field, $"'{path}' is not an absolute directory path; write it in full, for example /srv/exchange/prices."));
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (_data == full || _data.StartsWith(full.EndsWith('/') ? full : full + "/", StringComparison.Ordinal))
        {
            return (null, AdminRefusal.Invalid(field, $"{full} would show Gatehouse's data directory {_data} (its account database and keys); choose a directory that does not contain it."));
        }

        return (full, null);
    }
}
