namespace Gatehouse.Storage.Local;

/// <summary>
/// Maps a virtual path to its real path under a home's root and keeps it there: each component below the root is
/// looked at without following links, and a path with a link on it is settled by realpath, so a symbolic link that
/// points outside the home is refused no matter where it sits in the path.
/// </summary>
internal sealed class HomePathMapper(string root)
{
    /// <summary>PATH_MAX of Linux, counting the terminating NUL.</summary>
    private const int PathMax = 4096;

    private readonly string _root = root;

    public bool IsInsideRoot(string real) =>
        real == _root || real.StartsWith(_root.EndsWith('/') ? _root : _root + "/", StringComparison.Ordinal);

    public Mapped? TryMapExisting(VirtualPath path)
    {
        var full = Combine(path);
        return WalkWithoutLinks(full, out var status) switch
        {
            Walk.Found => new Mapped(full, status),
            Walk.LastMissing => null,
            _ => ResolveLinks(full, path),
        };
    }

    public Mapped MapExisting(VirtualPath path) =>
        TryMapExisting(path) ?? throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist.");

    /// <summary>Maps a path whose last component may not exist yet; the parent must exist inside the home.</summary>
    public Mapped MapForCreation(VirtualPath path)
    {
        if (path.IsRoot)
        {
            throw new FileSystemException(FileSystemError.IsADirectory, "/ is your home directory.");
        }

        var full = Combine(path);
        switch (WalkWithoutLinks(full, out var status))
        {
            case Walk.Found:
                return new Mapped(full, status);
            case Walk.LastMissing:
                // The parent is a directory and the name holds nothing, not even a dangling link.
                return Absent(full, path);
        }

        if (ResolveLinks(full, path) is { } existing)
        {
            return existing;
        }

        var parent = TryMapExisting(path.Parent)
            ?? throw new FileSystemException(FileSystemError.NotFound, $"Directory {path.Parent} does not exist.");
        if (!parent.IsDirectory)
        {
            throw new FileSystemException(FileSystemError.NotADirectory, $"{path.Parent} is not a directory.");
        }

        var candidate = Path.Combine(parent.Real, path.Name);
        if (new FileInfo(candidate).LinkTarget is not null)
        {
            // A dangling symbolic link: writing through it could create a file anywhere.
            throw new FileSystemException(FileSystemError.OutsideHome, $"{path} is a link to a location outside your home directory.");
        }

        return Absent(candidate, path);
    }

    /// <summary>
    /// A name to create, refused when its path on the disk is longer than the kernel takes: it would refuse the name
    /// anyway, but an upload would only learn that at its commit, after the client had sent all of it.
    /// </summary>
    private static Mapped Absent(string real, VirtualPath path) =>
        System.Text.Encoding.UTF8.GetByteCount(real) < PathMax
            ? new Mapped(real, null, Absent: true)
            : throw new FileSystemException(FileSystemError.InvalidName, $"Path too long: on the server's disk {path} would be more than {PathMax - 1} bytes long.");

    /// <summary>Maps a path for operations that act on a symbolic link itself (delete, rename), not on its target.</summary>
    public string MapLinkItself(VirtualPath path)
    {
        var parent = MapExisting(path.Parent);
        var candidate = Path.Combine(parent.Real, path.Name);
        if (!Path.Exists(candidate) && new FileInfo(candidate).LinkTarget is null)
        {
            throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist.");
        }

        return candidate;
    }

    /// <summary>The path under the root as named, links not followed.</summary>
    public string Combine(VirtualPath path) => path.IsRoot ? _root : _root + path.Value;

    private Mapped? ResolveLinks(string full, VirtualPath path)
    {
        var real = NativeFileApi.RealPath(full);
        if (real is null)
        {
            return null;
        }

        if (!IsInsideRoot(real))
        {
            throw new FileSystemException(FileSystemError.OutsideHome, $"{path} leads outside your home directory.");
        }

        return new Mapped(real, null);
    }

    /// <summary>
    /// Looks at the root and at each component below it without following links (one statx each). While none is a
    /// link, the joined path is already the canonical one: realpath would readlink every directory above the home
    /// too, on every command. <see cref="Walk.Unresolved"/> (a link or an error on the way) leaves it to realpath.
    /// </summary>
    private Walk WalkWithoutLinks(string full, out FileStatus? last)
    {
        last = null;
        if (_root.EndsWith('/'))
        {
            return Walk.Unresolved;
        }

        var end = _root.Length;
        while (true)
        {
            var isLast = end == full.Length;
            var status = NativeFileApi.LinkStatus(full[..end], out var error);
            if (status is not { IsLink: false } found || (!isLast && !found.IsDirectory))
            {
                return isLast && error == NativeFileApi.NoSuchFile ? Walk.LastMissing : Walk.Unresolved;
            }

            if (isLast)
            {
                last = found;
                return Walk.Found;
            }

            end = full.IndexOf('/', end + 1);
            end = end < 0 ? full.Length : end;
        }
    }

    /// <summary>A virtual path on the disk: its real path, and its status where the lookup that found it saw it.</summary>
    public readonly record struct Mapped(string Real, FileStatus? Status, bool Absent = false)
    {
        public bool IsDirectory => !Absent && (Status?.IsDirectory ?? Directory.Exists(Real));
    }

    private enum Walk
    {
        /// <summary>Every component exists and none is a link.</summary>
        Found,

        /// <summary>Every component but the last exists, none is a link, and the last is absent.</summary>
        LastMissing,

        Unresolved,
    }
}
