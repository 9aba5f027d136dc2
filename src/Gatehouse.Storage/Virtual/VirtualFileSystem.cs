namespace Gatehouse.Storage.Virtual;

/// <summary>
/// A user's whole tree: the home, with folders mounted at virtual paths. The longest mount that contains a path
/// serves it. Directories that exist only to lead to mount points ("/shared" for a mount at "/shared/prices")
/// are shown but hold nothing else; mount points themselves cannot be changed, and nothing moves between mounts.
/// </summary>
public sealed class VirtualFileSystem : IFileSystem
{
    private readonly IFileSystem _home;
    private readonly List<Mount> _mounts;

    public VirtualFileSystem(IFileSystem home, IEnumerable<Mount> mounts)
    {
        _home = home;
        _mounts = mounts.Where(mount => !mount.At.IsRoot).OrderByDescending(mount => mount.At.Value.Length).ToList();
    }

    public async ValueTask<FileSystemEntry?> GetEntryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var (fileSystem, inner, _) = Route(path);
        var entry = await fileSystem.GetEntryAsync(inner, cancellationToken).ConfigureAwait(false);
        if (IsMountPoint(path) || LeadsToMount(path))
        {
            return entry is { IsDirectory: true }
                ? entry with { Name = path.Name }
                : new FileSystemEntry(path.Name, true, 0, DateTimeOffset.UnixEpoch, "virtual:" + path.Value);
        }

        return entry;
    }

    public async ValueTask<IEnumerable<FileSystemEntry>> ListAsync(VirtualPath directory, CancellationToken cancellationToken)
    {
        var (fileSystem, inner, _) = Route(directory);
        var children = ChildMountNames(directory);
        if (children.Count == 0)
        {
            return await fileSystem.ListAsync(inner, cancellationToken).ConfigureAwait(false);
        }

        var entries = await fileSystem.GetEntryAsync(inner, cancellationToken).ConfigureAwait(false) is { IsDirectory: true }
            ? await fileSystem.ListAsync(inner, cancellationToken).ConfigureAwait(false)
            : [];
        var mounts = new List<FileSystemEntry>(children.Count);
        foreach (var name in children)
        {
            mounts.Add((await GetEntryAsync(directory.Append(name), cancellationToken).ConfigureAwait(false))!);
        }

        return entries.Where(entry => !children.Contains(entry.Name)).Concat(mounts);
    }

    public ValueTask<Stream> OpenReadAsync(VirtualPath path, long offset, CancellationToken cancellationToken)
    {
        if (IsMountPoint(path) || LeadsToMount(path))
        {
            throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory.");
        }

        var (fileSystem, inner, _) = Route(path);
        return fileSystem.OpenReadAsync(inner, offset, cancellationToken);
    }

    public ValueTask<long?> GetPartialUploadSizeAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        if (IsMountPoint(path) || LeadsToMount(path))
        {
            return ValueTask.FromResult<long?>(null);
        }

        var (fileSystem, inner, _) = Route(path);
        return fileSystem.GetPartialUploadSizeAsync(inner, cancellationToken);
    }

    public async ValueTask<IUpload> BeginUploadAsync(VirtualPath path, long keepExistingBytes, CancellationToken cancellationToken)
    {
        var (fileSystem, inner) = await RouteForChangeAsync(path, cancellationToken).ConfigureAwait(false);
        return await fileSystem.BeginUploadAsync(inner, keepExistingBytes, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CreateDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var (fileSystem, inner) = await RouteForChangeAsync(path, cancellationToken).ConfigureAwait(false);
        await fileSystem.CreateDirectoryAsync(inner, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DeleteFileAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var (fileSystem, inner) = await RouteForChangeAsync(path, cancellationToken).ConfigureAwait(false);
        await fileSystem.DeleteFileAsync(inner, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var (fileSystem, inner) = await RouteForChangeAsync(path, cancellationToken).ConfigureAwait(false);
        await fileSystem.RemoveDirectoryAsync(inner, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CheckRenameSourceAsync(VirtualPath from, CancellationToken cancellationToken)
    {
        var (fileSystem, inner) = await RouteForChangeAsync(from, cancellationToken).ConfigureAwait(false);
        await fileSystem.CheckRenameSourceAsync(inner, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RenameAsync(VirtualPath from, VirtualPath to, CancellationToken cancellationToken)
    {
        var (source, sourceInner) = await RouteForChangeAsync(from, cancellationToken).ConfigureAwait(false);
        var (target, targetInner) = await RouteForChangeAsync(to, cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(source, target))
        {
            throw new FileSystemException(FileSystemError.PermissionDenied, $"{from} and {to} are in different folders; download and upload the file instead of renaming it.");
        }

        await source.RenameAsync(sourceInner, targetInner, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SetLastModifiedAsync(VirtualPath path, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var (fileSystem, inner) = await RouteForChangeAsync(path, cancellationToken).ConfigureAwait(false);
        await fileSystem.SetLastModifiedAsync(inner, time, cancellationToken).ConfigureAwait(false);
    }

    public string? DiskPathOf(VirtualPath path)
    {
        var (fileSystem, inner, _) = Route(path);
        return fileSystem.DiskPathOf(inner);
    }

    private (IFileSystem FileSystem, VirtualPath Inner, Mount? Mount) Route(VirtualPath path)
    {
        foreach (var mount in _mounts)
        {
            if (path == mount.At)
            {
                return (mount.Target, VirtualPath.Root, mount);
            }

            if (path.Value.StartsWith(mount.At.Value + "/", StringComparison.Ordinal))
            {
                VirtualPath.TryResolve(VirtualPath.Root, path.Value[mount.At.Value.Length..], out var inner, out _);
                return (mount.Target, inner, mount);
            }
        }

        return (_home, path, null);
    }

    /// <summary>Refuses changes to mount points, to directories that only lead to them, and inside read-only mounts.</summary>
    private async ValueTask<(IFileSystem FileSystem, VirtualPath Inner)> RouteForChangeAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        if (IsMountPoint(path) || LeadsToMount(path))
        {
            throw new FileSystemException(FileSystemError.PermissionDenied, $"{path} is where shared folders are mounted; it cannot be changed.");
        }

        var (fileSystem, inner, mount) = Route(path);
        if (mount is { ReadOnly: true })
        {
            throw new FileSystemException(FileSystemError.PermissionDenied, $"{path} is in the read-only folder {mount.At}; it cannot be changed.");
        }

        var parent = path.Parent;
        var (parentFileSystem, parentInner, _) = Route(parent);
        if (LeadsToMount(parent) && await parentFileSystem.GetEntryAsync(parentInner, cancellationToken).ConfigureAwait(false) is not { IsDirectory: true })
        {
            throw new FileSystemException(FileSystemError.PermissionDenied, $"{parent} only holds shared folders; store files inside one of them.");
        }

        return (fileSystem, inner);
    }

    private bool IsMountPoint(VirtualPath path) => _mounts.Exists(mount => mount.At == path);

    /// <summary>True for a proper ancestor of some mount point ("/shared" for "/shared/prices").</summary>
    private bool LeadsToMount(VirtualPath path)
    {
        var prefix = path.IsRoot ? "/" : path.Value + "/";
        return _mounts.Exists(mount => mount.At.Value.StartsWith(prefix, StringComparison.Ordinal));
    }

    private HashSet<string> ChildMountNames(VirtualPath directory)
    {
        var prefix = directory.IsRoot ? "/" : directory.Value + "/";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in _mounts)
        {
            if (mount.At.Value.StartsWith(prefix, StringComparison.Ordinal))
            {
                names.Add(mount.At.Value[prefix.Length..].Split('/')[0]);
            }
        }

        return names;
    }
}
