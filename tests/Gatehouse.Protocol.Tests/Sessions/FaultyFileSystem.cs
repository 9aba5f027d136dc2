using Gatehouse.Storage;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>
/// <paramref name="inner"/> with a failure as the operating system raises it, not translated by a file system:
/// thrown by MKD (<see cref="CreateDirectoryAsync"/>) and by every write to an upload.
/// </summary>
internal sealed class FaultyFileSystem(IFileSystem inner, Exception failure) : IFileSystem
{
    public ValueTask<FileSystemEntry?> GetEntryAsync(VirtualPath path, CancellationToken cancellationToken) => inner.GetEntryAsync(path, cancellationToken);

    public ValueTask<IEnumerable<FileSystemEntry>> ListAsync(VirtualPath directory, CancellationToken cancellationToken) => inner.ListAsync(directory, cancellationToken);

    public ValueTask<Stream> OpenReadAsync(VirtualPath path, long offset, CancellationToken cancellationToken) => inner.OpenReadAsync(path, offset, cancellationToken);

    public ValueTask<long?> GetPartialUploadSizeAsync(VirtualPath path, CancellationToken cancellationToken) => inner.GetPartialUploadSizeAsync(path, cancellationToken);

    public async ValueTask<IUpload> BeginUploadAsync(VirtualPath path, long keepExistingBytes, CancellationToken cancellationToken) =>
        new FailingUpload(await inner.BeginUploadAsync(path, keepExistingBytes, cancellationToken), failure);

    public ValueTask CreateDirectoryAsync(VirtualPath path, CancellationToken cancellationToken) => throw failure;

    public ValueTask DeleteFileAsync(VirtualPath path, CancellationToken cancellationToken) => inner.DeleteFileAsync(path, cancellationToken);

    public ValueTask RemoveDirectoryAsync(VirtualPath path, CancellationToken cancellationToken) => inner.RemoveDirectoryAsync(path, cancellationToken);

    public ValueTask CheckRenameSourceAsync(VirtualPath from, CancellationToken cancellationToken) => inner.CheckRenameSourceAsync(from, cancellationToken);

    public ValueTask RenameAsync(VirtualPath from, VirtualPath to, CancellationToken cancellationToken) => inner.RenameAsync(from, to, cancellationToken);

    public ValueTask SetLastModifiedAsync(VirtualPath path, DateTimeOffset time, CancellationToken cancellationToken) => inner.SetLastModifiedAsync(path, time, cancellationToken);

    private sealed class FailingUpload(IUpload upload, Exception failure) : IUpload
    {
        public Stream Content { get; } = new FailingStream(failure);

        public ValueTask<UploadCommit> CommitAsync(CancellationToken cancellationToken) => upload.CommitAsync(cancellationToken);

        public ValueTask<long> KeepPartialAsync(CancellationToken cancellationToken) => upload.KeepPartialAsync(cancellationToken);

        public ValueTask DisposeAsync() => upload.DisposeAsync();
    }

    private sealed class FailingStream(Exception failure) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw failure;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => throw failure;
    }
}
