namespace Gatehouse.Storage.Access;

/// <summary>
/// Enforces a <see cref="PermissionTable"/> in front of another file system. A directory's permissions say what
/// may be done inside it: listing checks the directory itself, every other operation checks the entry's parent.
/// </summary>
public sealed class GuardedFileSystem(IFileSystem inner, PermissionTable permissions) : IFileSystem
{
    public ValueTask<FileSystemEntry?> GetEntryAsync(VirtualPath path, CancellationToken cancellationToken) =>
        inner.GetEntryAsync(path, cancellationToken);

    public ValueTask<IEnumerable<FileSystemEntry>> ListAsync(VirtualPath directory, CancellationToken cancellationToken)
    {
        Demand(directory, FilePermissions.List, directory);
        return inner.ListAsync(directory, cancellationToken);
    }

    public ValueTask<Stream> OpenReadAsync(VirtualPath path, long offset, CancellationToken cancellationToken)
    {
        DemandInside(path, FilePermissions.Download);
        return inner.OpenReadAsync(path, offset, cancellationToken);
    }

    public ValueTask<long?> GetPartialUploadSizeAsync(VirtualPath path, CancellationToken cancellationToken) =>
        inner.GetPartialUploadSizeAsync(path, cancellationToken);

    public string? DiskPathOf(VirtualPath path) => inner.DiskPathOf(path);

    /// <summary>Continuing one's own kept partial upload needs the upload permission only: no file is overwritten.</summary>
    public async ValueTask<IUpload> BeginUploadAsync(VirtualPath path, long keepExistingBytes, CancellationToken cancellationToken)
    {
        var exists = await inner.GetEntryAsync(path, cancellationToken).ConfigureAwait(false) is not null;
        DemandInside(path, exists ? FilePermissions.Overwrite : FilePermissions.Upload);
        return await inner.BeginUploadAsync(path, keepExistingBytes, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask CreateDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        DemandInside(path, FilePermissions.CreateDirectories);
        return inner.CreateDirectoryAsync(path, cancellationToken);
    }

    public ValueTask DeleteFileAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        DemandInside(path, FilePermissions.Delete);
        return inner.DeleteFileAsync(path, cancellationToken);
    }

    public ValueTask RemoveDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        DemandInside(path, FilePermissions.RemoveDirectories);
        return inner.RemoveDirectoryAsync(path, cancellationToken);
    }

    public ValueTask CheckRenameSourceAsync(VirtualPath from, CancellationToken cancellationToken)
    {
        DemandInside(from, FilePermissions.Rename);
        return inner.CheckRenameSourceAsync(from, cancellationToken);
    }

    public async ValueTask RenameAsync(VirtualPath from, VirtualPath to, CancellationToken cancellationToken)
    {
        DemandInside(from, FilePermissions.Rename);
        DemandInside(to, FilePermissions.Rename);
        if (await inner.GetEntryAsync(to, cancellationToken).ConfigureAwait(false) is not null)
        {
            DemandInside(to, FilePermissions.Overwrite);
        }

        await inner.RenameAsync(from, to, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask SetLastModifiedAsync(VirtualPath path, DateTimeOffset time, CancellationToken cancellationToken)
    {
        DemandInside(path, FilePermissions.SetTimes);
        return inner.SetLastModifiedAsync(path, time, cancellationToken);
    }

    private void DemandInside(VirtualPath path, FilePermissions needed) => Demand(path.IsRoot ? path : path.Parent, needed, path);

    private void Demand(VirtualPath checkedAt, FilePermissions needed, VirtualPath shown)
    {
        if (!permissions.Allows(checkedAt, needed))
        {
            throw new FileSystemException(
                FileSystemError.PermissionDenied,
                $"Permission denied: you lack the '{FilePermissionNames.Describe(needed)}' permission for {shown}.");
        }
    }
}
