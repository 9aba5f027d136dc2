namespace Gatehouse.Storage.Local;

/// <summary>
/// A user's home on the local disk. Every virtual path is mapped under the root and canonicalised, so a symbolic
/// link that points outside the home is refused no matter where it sits in the path: each component below the root
/// is looked at without following links, and a path with a link on it is settled by realpath.
/// </summary>
public sealed class LocalFileSystem : IFileSystem
{
    private const int CopyBufferSize = 1 << 20;
    private readonly string _root;
    private readonly bool _syncUploads;

    /// <param name="syncUploads">fsync each upload before it is committed under its name (Storage:SyncUploads).</param>
    public LocalFileSystem(string homeDirectory, bool syncUploads = true)
    {
        _syncUploads = syncUploads;
        Directory.CreateDirectory(homeDirectory);
        _root = NativeFileApi.RealPath(homeDirectory)
            ?? throw new DirectoryNotFoundException($"Home directory '{homeDirectory}' cannot be resolved.");
    }

    public ValueTask<FileSystemEntry?> GetEntryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var mapped = TryMapExisting(path);
        return ValueTask.FromResult(mapped switch
        {
            null => null,
            { Status: { } status } => Entry(path.Name, status),
            _ => Describe(mapped.Value.Real, path.Name),
        });
    }

    public ValueTask<IEnumerable<FileSystemEntry>> ListAsync(VirtualPath directory, CancellationToken cancellationToken)
    {
        var mapped = MapExisting(directory);
        if (!mapped.IsDirectory)
        {
            throw new FileSystemException(FileSystemError.NotADirectory, $"{directory} is not a directory.");
        }

        return ValueTask.FromResult(ReadEntries(mapped.Real));
    }

    private IEnumerable<FileSystemEntry> ReadEntries(string real)
    {
        using var opened = NativeFileApi.OpenDirectory(real);
        // Names only: asking the enumeration for attributes would cost an lstat of the whole path per entry. The
        // enumerable opens the directory when it is made, so that is translated too: this runs after 150, and the
        // directory may be gone by then.
        using var reading = Translate(() => new System.IO.Enumeration.FileSystemEnumerable<string>(
            real, static (ref System.IO.Enumeration.FileSystemEntry child) => child.FileName.ToString()).GetEnumerator());
        while (Translate(reading.MoveNext))
        {
            var name = reading.Current;
            if (PathValidation.TryValidateName(name, out _) && DescribeChild(opened, real, name) is { } entry)
            {
                yield return entry;
            }
        }
    }

    public ValueTask<Stream> OpenReadAsync(VirtualPath path, long offset, CancellationToken cancellationToken)
    {
        var mapped = MapExisting(path);
        if (mapped.IsDirectory)
        {
            throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory.");
        }

        return Translate(() =>
        {
            var stream = new FileStream(mapped.Real, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
                // Asynchronous: the socket layer's zero-copy send (sendfile) accepts only such streams.
                Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
            });
            if (offset > stream.Length)
            {
                stream.Dispose();
                throw new FileSystemException(FileSystemError.InvalidName, $"Restart offset {offset} is beyond the end of the file ({stream.Length} bytes).");
            }

            stream.Position = offset;
            return ValueTask.FromResult<Stream>(stream);
        });
    }

    public ValueTask<IUpload> BeginUploadAsync(VirtualPath path, long keepExistingBytes, CancellationToken cancellationToken)
    {
        var mapped = MapForCreation(path);
        if (mapped.IsDirectory)
        {
            throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory.");
        }

        var final = mapped.Real;
        return Translate(() =>
        {
            var temporary = Path.Combine(Path.GetDirectoryName(final)!, PathValidation.TemporaryUploadPrefix + Guid.NewGuid().ToString("N"));
            if (keepExistingBytes > 0)
            {
                CopyPrefix(final, temporary, keepExistingBytes, path);
            }

            var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = keepExistingBytes > 0 ? FileMode.Append : FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
            });
            return ValueTask.FromResult<IUpload>(new LocalUpload(new EarlyWritebackStream(stream), temporary, final, _syncUploads));
        });
    }

    public ValueTask CreateDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var real = MapForCreation(path).Real;
        if (Path.Exists(real))
        {
            throw new FileSystemException(FileSystemError.AlreadyExists, $"{path} already exists.");
        }

        return Translate(() =>
        {
            Directory.CreateDirectory(real);
            return ValueTask.CompletedTask;
        });
    }

    public ValueTask DeleteFileAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var real = MapLinkItself(path);
        if (Directory.Exists(real) && new DirectoryInfo(real).LinkTarget is null)
        {
            throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory; use RMD to remove it.");
        }

        return Translate(() =>
        {
            File.Delete(real);
            return ValueTask.CompletedTask;
        });
    }

    public ValueTask RemoveDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot)
        {
            throw new FileSystemException(FileSystemError.PermissionDenied, "Your home directory cannot be removed.");
        }

        var real = MapLinkItself(path);
        if (!Directory.Exists(real) || new DirectoryInfo(real).LinkTarget is not null)
        {
            throw new FileSystemException(FileSystemError.NotADirectory, $"{path} is not a directory.");
        }

        return Translate(() =>
        {
            Directory.Delete(real, recursive: false);
            return ValueTask.CompletedTask;
        });
    }

    public ValueTask CheckRenameSourceAsync(VirtualPath from, CancellationToken cancellationToken)
    {
        if (from.IsRoot)
        {
            throw new FileSystemException(FileSystemError.PermissionDenied, "Your home directory cannot be renamed.");
        }

        MapLinkItself(from);
        return ValueTask.CompletedTask;
    }

    public ValueTask RenameAsync(VirtualPath from, VirtualPath to, CancellationToken cancellationToken)
    {
        if (from.IsRoot)
        {
            throw new FileSystemException(FileSystemError.PermissionDenied, "Your home directory cannot be renamed.");
        }

        var source = MapLinkItself(from);
        var target = MapForCreation(to).Real;
        return Translate(() =>
        {
            if (Directory.Exists(source) && new DirectoryInfo(source).LinkTarget is null)
            {
                if (target.StartsWith(source + "/", StringComparison.Ordinal))
                {
                    throw new FileSystemException(FileSystemError.InvalidName, "A directory cannot be moved into itself.");
                }

                if (Path.Exists(target))
                {
                    throw new FileSystemException(FileSystemError.AlreadyExists, $"{to} already exists.");
                }

                Directory.Move(source, target);
            }
            else
            {
                if (Directory.Exists(target))
                {
                    throw new FileSystemException(FileSystemError.IsADirectory, $"{to} is an existing directory.");
                }

                File.Move(source, target, overwrite: true);
            }

            return ValueTask.CompletedTask;
        });
    }

    public ValueTask SetLastModifiedAsync(VirtualPath path, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var mapped = MapExisting(path);
        return Translate(() =>
        {
            if (mapped.IsDirectory)
            {
                Directory.SetLastWriteTimeUtc(mapped.Real, time.UtcDateTime);
            }
            else
            {
                File.SetLastWriteTimeUtc(mapped.Real, time.UtcDateTime);
            }

            return ValueTask.CompletedTask;
        });
    }

    /// <summary>A child of a listed directory, looked up in its open directory where there is one; null if it vanished or is a link leading out of the home.</summary>
    private FileSystemEntry? DescribeChild(DirectoryHandle? directory, string directoryPath, string name)
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
            return NativeFileApi.RealPath(path) is { } target && IsInsideRoot(target) ? Describe(target, name) : null;
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

    private static FileSystemEntry Entry(string name, FileStatus status) =>
        new(name, status.IsDirectory, status.IsDirectory ? 0 : status.Size, status.LastModified, status.Identity);

    /// <summary>The entry for an existing path, or null if it vanished meanwhile.</summary>
    private static FileSystemEntry? Describe(string real, string name)
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

    private static void CopyPrefix(string source, string destination, long length, VirtualPath path)
    {
        var existing = new FileInfo(source);
        if (!existing.Exists)
        {
            throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist, so there is nothing to resume or append to.");
        }

        if (length > existing.Length)
        {
            throw new FileSystemException(FileSystemError.InvalidName, $"Restart offset {length} is beyond the end of {path} ({existing.Length} bytes).");
        }

        // File.Copy uses the kernel's copy path (copy_file_range/reflink) where available.
        File.Copy(source, destination);
        if (length < existing.Length)
        {
            using var truncate = new FileStream(destination, FileMode.Open, FileAccess.Write, FileShare.None, CopyBufferSize);
            truncate.SetLength(length);
        }
    }

    private string Combine(VirtualPath path) => path.IsRoot ? _root : _root + path.Value;

    private bool IsInsideRoot(string real) =>
        real == _root || real.StartsWith(_root.EndsWith('/') ? _root : _root + "/", StringComparison.Ordinal);

    private Mapped? TryMapExisting(VirtualPath path)
    {
        var full = Combine(path);
        return WalkWithoutLinks(full, out var status) switch
        {
            Walk.Found => new Mapped(full, status),
            Walk.LastMissing => null,
            _ => ResolveLinks(full, path),
        };
    }

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

    private Mapped MapExisting(VirtualPath path) =>
        TryMapExisting(path) ?? throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist.");

    /// <summary>Maps a path whose last component may not exist yet; the parent must exist inside the home.</summary>
    private Mapped MapForCreation(VirtualPath path)
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
                return new Mapped(full, null, Absent: true);
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

        return new Mapped(candidate, null, Absent: true);
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

    private enum Walk
    {
        /// <summary>Every component exists and none is a link.</summary>
        Found,

        /// <summary>Every component but the last exists, none is a link, and the last is absent.</summary>
        LastMissing,

        Unresolved,
    }

    /// <summary>A virtual path on the disk: its real path, and its status where the lookup that found it saw it.</summary>
    private readonly record struct Mapped(string Real, FileStatus? Status, bool Absent = false)
    {
        public bool IsDirectory => !Absent && (Status?.IsDirectory ?? Directory.Exists(Real));
    }

    /// <summary>Maps a path for operations that act on a symbolic link itself (delete, rename), not on its target.</summary>
    private string MapLinkItself(VirtualPath path)
    {
        var parent = MapExisting(path.Parent);
        var candidate = Path.Combine(parent.Real, path.Name);
        if (!Path.Exists(candidate) && new FileInfo(candidate).LinkTarget is null)
        {
            throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist.");
        }

        return candidate;
    }

    private static T Translate<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception ex) when (StorageErrors.TryTranslate(ex, out var translated))
        {
            throw translated;
        }
    }
}
