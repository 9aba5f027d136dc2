namespace Gatehouse.Storage.Local;

/// <summary>
/// A user's home on the local disk. Every virtual path is mapped under the root and canonicalised, so a symbolic
/// link that points outside the home is refused no matter where it sits in the path: each component below the root
/// is looked at without following links, and a path with a link on it is settled by realpath
/// (<see cref="HomePathMapper"/>). Entries and listings are described by <see cref="LocalEntries"/>, and an upload
/// is a <see cref="LocalUpload"/>, kept for resuming when cut (<see cref="PartialUploads"/>) if a resuming user is given.
/// </summary>
public sealed class LocalFileSystem : IFileSystem
{
    private readonly HomePathMapper _home;
    private readonly bool _syncUploads;
    private readonly string? _resumingUser;

    /// <param name="syncUploads">fsync each upload before it is committed under its name (Storage:SyncUploads).</param>
    /// <param name="resumingUser">The user whose interrupted new uploads are kept to be resumed (setting resume-uploads on); null: discarded.</param>
    public LocalFileSystem(string homeDirectory, bool syncUploads = true, string? resumingUser = null)
    {
        _syncUploads = syncUploads;
        _resumingUser = resumingUser;
        Directory.CreateDirectory(homeDirectory);
        _home = new HomePathMapper(NativeFileApi.RealPath(homeDirectory)
            ?? throw new DirectoryNotFoundException($"Home directory '{homeDirectory}' cannot be resolved."));
    }

    public ValueTask<FileSystemEntry?> GetEntryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var mapped = _home.TryMapExisting(path);
        return ValueTask.FromResult(mapped switch
        {
            null => null,
            { Status: { } status } => LocalEntries.Entry(path.Name, status),
            _ => LocalEntries.Describe(mapped.Value.Real, path.Name),
        });
    }

    public ValueTask<IEnumerable<FileSystemEntry>> ListAsync(VirtualPath directory, CancellationToken cancellationToken)
    {
        var mapped = _home.MapExisting(directory);
        if (!mapped.IsDirectory)
        {
            throw new FileSystemException(FileSystemError.NotADirectory, $"{directory} is not a directory.");
        }

        return ValueTask.FromResult(LocalEntries.ReadEntries(mapped.Real, _home));
    }

    public ValueTask<Stream> OpenReadAsync(VirtualPath path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var mapped = _home.MapExisting(path);
        if (mapped.IsDirectory)
        {
            throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory.");
        }

        return StorageErrors.Translate(() =>
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
            var size = stream.Length;
            if (offset > size)
            {
                stream.Dispose();
                throw FileSystemException.OffsetBeyondEnd(path, offset, size);
            }

            stream.Position = offset;
            return ValueTask.FromResult<Stream>(stream);
        });
    }

    public string? DiskPathOf(VirtualPath path) => _home.Combine(path);

    public ValueTask<IUpload> BeginUploadAsync(VirtualPath path, long keepExistingBytes, CancellationToken cancellationToken)
    {
        var mapped = _home.MapForCreation(path);
        if (mapped.IsDirectory)
        {
            throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory.");
        }

        var final = mapped.Real;
        var partial = _resumingUser is null ? null : PartialUploads.PathFor(_resumingUser, final);
        return StorageErrors.Translate(() => ValueTask.FromResult<IUpload>(LocalUpload.Begin(final, keepExistingBytes, path, _syncUploads, partial)));
    }

    public ValueTask<long?> GetPartialUploadSizeAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        if (_resumingUser is null || path.IsRoot)
        {
            return ValueTask.FromResult<long?>(null);
        }

        var mapped = _home.MapForCreation(path);
        return ValueTask.FromResult(Path.Exists(mapped.Real) ? null : PartialUploads.Length(PartialUploads.PathFor(_resumingUser, mapped.Real)));
    }

    public ValueTask CreateDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var real = _home.MapForCreation(path).Real;
        if (Path.Exists(real))
        {
            throw new FileSystemException(FileSystemError.AlreadyExists, $"{path} already exists.");
        }

        return StorageErrors.Translate(() =>
        {
            Directory.CreateDirectory(real);
            return ValueTask.CompletedTask;
        });
    }

    public ValueTask DeleteFileAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var real = _home.MapLinkItself(path);
        if (Directory.Exists(real) && new DirectoryInfo(real).LinkTarget is null)
        {
            throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory; use RMD to remove it.");
        }

        return StorageErrors.Translate(() =>
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

        var real = _home.MapLinkItself(path);
        if (!Directory.Exists(real) || new DirectoryInfo(real).LinkTarget is not null)
        {
            throw new FileSystemException(FileSystemError.NotADirectory, $"{path} is not a directory.");
        }

        return StorageErrors.Translate(() =>
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

        _home.MapLinkItself(from);
        return ValueTask.CompletedTask;
    }

    public ValueTask RenameAsync(VirtualPath from, VirtualPath to, CancellationToken cancellationToken)
    {
        if (from.IsRoot)
        {
            throw new FileSystemException(FileSystemError.PermissionDenied, "Your home directory cannot be renamed.");
        }

        var source = _home.MapLinkItself(from);
        var target = _home.MapForCreation(to).Real;
        return StorageErrors.Translate(() =>
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
        var mapped = _home.MapExisting(path);
        return StorageErrors.Translate(() =>
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
}
