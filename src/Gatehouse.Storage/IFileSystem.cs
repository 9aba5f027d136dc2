namespace Gatehouse.Storage;

/// <summary>
/// A user's view of storage, addressed only by <see cref="VirtualPath"/>.
/// Implementations confine every operation to the user's root and throw
/// <see cref="FileSystemException"/> with a client-safe message on failure.
/// </summary>
public interface IFileSystem
{
    ValueTask<FileSystemEntry?> GetEntryAsync(VirtualPath path, CancellationToken cancellationToken);

    /// <summary>
    /// The directory's entries in the order the storage gives them, read as they are enumerated, so a directory of
    /// any size costs no memory here. Refusals (no such directory, no listing permission) are thrown before it
    /// returns; an error reading the directory itself surfaces as a <see cref="FileSystemException"/> while enumerating.
    /// </summary>
    ValueTask<IEnumerable<FileSystemEntry>> ListAsync(VirtualPath directory, CancellationToken cancellationToken);

    ValueTask<Stream> OpenReadAsync(VirtualPath path, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// The length of the interrupted upload to <paramref name="path"/> kept for this user to resume (setting
    /// <c>resume-uploads</c>), or null when there is none or a complete file holds the name: what SIZE reports for a
    /// name without a file. The partial itself is never listed, served or counted as a file.
    /// </summary>
    ValueTask<long?> GetPartialUploadSizeAsync(VirtualPath path, CancellationToken cancellationToken);

    /// <summary>
    /// Starts an upload that becomes visible under <paramref name="path"/> only when committed.
    /// With <paramref name="keepExistingBytes"/> &gt; 0 the new data follows that many bytes of the existing file
    /// (REST + STOR, APPE); the existing file stays untouched until the commit. When no file holds the name, those bytes
    /// are the kept partial upload's (<see cref="GetPartialUploadSizeAsync"/>), whose length they must equal exactly.
    /// </summary>
    ValueTask<IUpload> BeginUploadAsync(VirtualPath path, long keepExistingBytes, CancellationToken cancellationToken);

    ValueTask CreateDirectoryAsync(VirtualPath path, CancellationToken cancellationToken);

    ValueTask DeleteFileAsync(VirtualPath path, CancellationToken cancellationToken);

    ValueTask RemoveDirectoryAsync(VirtualPath path, CancellationToken cancellationToken);

    /// <summary>RNFR: checks that <paramref name="from"/> exists and may be renamed at all, so refusals come before RNTO.</summary>
    ValueTask CheckRenameSourceAsync(VirtualPath from, CancellationToken cancellationToken);

    ValueTask RenameAsync(VirtualPath from, VirtualPath to, CancellationToken cancellationToken);

    ValueTask SetLastModifiedAsync(VirtualPath path, DateTimeOffset time, CancellationToken cancellationToken);

    /// <summary>
    /// Where <paramref name="path"/> is, or was, on the server's disk, named under the root it maps to (links are not
    /// followed and nothing is looked at): what event rules report, never used for access. Null for storage without one.
    /// </summary>
    string? DiskPathOf(VirtualPath path) => null;
}

/// <summary>
/// An upload in progress. Disposing without <see cref="CommitAsync"/> or <see cref="KeepPartialAsync"/> discards what it
/// received; a partial upload it resumed is kept as it was.
/// </summary>
public interface IUpload : IAsyncDisposable
{
    Stream Content { get; }

    /// <summary>Puts the upload under its name in one step; a partial upload of the name kept earlier is superseded.</summary>
    ValueTask<UploadCommit> CommitAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="CommitAsync(CancellationToken)"/>, but first runs <paramref name="check"/> on the complete data
    /// while it is still hidden; when the check throws, nothing is published. Only storage that keeps the upload in a
    /// file of its own can offer this.
    /// </summary>
    ValueTask<UploadCommit> CommitAsync(PublishCheck check, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This storage cannot check an upload before it is published.");

    /// <summary>
    /// The client or the network cut the transfer: keeps what arrived, hidden, for the client to resume, when this upload
    /// may be resumed (a new file, setting <c>resume-uploads</c> on); otherwise the same as disposing.
    /// </summary>
    /// <returns>How many bytes the partial uploads kept on disk grew by (negative when they shrank).</returns>
    ValueTask<long> KeepPartialAsync(CancellationToken cancellationToken);
}

/// <param name="Replaced">
/// The size of the file the upload replaced, or null when the name was free: measured at the replacement itself, so it
/// stays exact when another writer races for the name.
/// </param>
/// <param name="PartialBytesRemoved">Bytes of a kept partial upload of the name that the commit made obsolete and removed.</param>
public readonly record struct UploadCommit(long? Replaced, long PartialBytesRemoved = 0);

/// <summary>A check of a complete upload before it is published, given the hidden file that holds it.</summary>
/// <exception cref="UploadRejectedException">The upload must not be published.</exception>
public delegate ValueTask PublishCheck(string stagedFile, CancellationToken cancellationToken);

/// <summary>A <see cref="PublishCheck"/> refused the upload; the message is safe to show the client.</summary>
public sealed class UploadRejectedException(string reason) : Exception(reason);
