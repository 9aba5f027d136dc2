namespace Gatehouse.Storage.Local;

/// <summary>
/// What a path on the disk looks like as a <see cref="FileSystemEntry"/>: one path (from the status its lookup saw, or
/// looked up again), or the children of a directory, where a link leading out of the home is left out.
/// </summary>
internal static class LocalEntries
{
    /// <summary>The children of a directory, by name; <paramref name="home"/> says where a link may lead.</summary>
    public static IEnumerable<FileSystemEntry> ReadEntries(string real, HomePathMapper home)
    {
        using var opened = NativeFileApi.OpenDirectory(real);
        // Names only: asking the enumeration for attributes would cost an lstat of the whole path per entry. The
        // enumerable opens the directory when it is made, so that is translated too: this runs after 150, and the
        // directory may be gone by then.
        using var reading = StorageErrors.Translate(() => new System.IO.Enumeration.FileSystemEnumerable<string>(
            real, static (ref System.IO.Enumeration.FileSystemEntry child) => child.FileName.ToString()).GetEnumerator());
        while (StorageErrors.Translate(reading.MoveNext))
        {
            var name = reading.Current;
            if (PathValidation.TryValidateName(name, out _) && DescribeChild(home, opened, real, name) is { } entry)
            {
                yield return entry;
            }
        }
    }

    public static FileSystemEntry Entry(string name, FileStatus status) =>
        new(name, status.IsDirectory, status.IsDirectory ? 0 : status.Size, status.LastModified, status.Identity);

    /// <summary>The entry for an existing path, or null if it vanished meanwhile.</summary>
    public static FileSystemEntry? Describe(string real, string name)
    {
        if (NativeFileApi.Status(real) is { } status)
        {
            return Entry(name, status);
        }

        FileSystemInfo info = Directory.Exists(real) ? new DirectoryInfo(real) : new FileInfo(real);
        if (!info.Exists)
        {
            return null;
        }

        var unique = real.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        return new FileSystemEntry(name, info is DirectoryInfo, info is FileInfo file ? file.Length : 0, info.LastWriteTimeUtc, unique);
    }

    /// <summary>A child of a listed directory, looked up in its open directory where there is one; null if it vanished or is a link leading out of the home.</summary>
    private static FileSystemEntry? DescribeChild(HomePathMapper home, DirectoryHandle? directory, string directoryPath, string name)
    {
        var status = directory is null ? null : NativeFileApi.Status(directory, name);
        if (status is { IsLink: false } found)
        {
            return Entry(name, found);
        }

        var path = Path.Join(directoryPath, name);
        if (status is not null || IsLink(path))
        {
            // Only a link can lead out of the home; a plain child of a directory inside it is inside it.
            return NativeFileApi.RealPath(path) is { } target && home.IsInsideRoot(target) ? Describe(target, name) : null;
        }

        return Describe(path, name);
    }

    private static bool IsLink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
