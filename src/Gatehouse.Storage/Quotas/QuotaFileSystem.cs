using System.Net.Sockets;

namespace Gatehouse.Storage.Quotas;

/// <summary>
/// Keeps a storage area's usage in its <see cref="QuotaLedger"/> and stops uploads that would pass the limits. Every
/// change to the disk is made between the ledger's <see cref="QuotaLedger.BeginChangeAsync"/> and
/// <see cref="QuotaLedger.EndChange"/>, so a crash in between is repaired at the next start.
/// </summary>
public sealed class QuotaFileSystem(IFileSystem inner, QuotaLedger ledger, QuotaLimits limits) : IFileSystem
{
    public ValueTask<FileSystemEntry?> GetEntryAsync(VirtualPath path, CancellationToken cancellationToken) =>
        inner.GetEntryAsync(path, cancellationToken);

    public ValueTask<IEnumerable<FileSystemEntry>> ListAsync(VirtualPath directory, CancellationToken cancellationToken) =>
        inner.ListAsync(directory, cancellationToken);

    public ValueTask<Stream> OpenReadAsync(VirtualPath path, long offset, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(path, offset, cancellationToken);

    public ValueTask<long?> GetPartialUploadSizeAsync(VirtualPath path, CancellationToken cancellationToken) =>
        inner.GetPartialUploadSizeAsync(path, cancellationToken);

    public string? DiskPathOf(VirtualPath path) => inner.DiskPathOf(path);

    /// <summary>
    /// Kept partial uploads count in the area's bytes (not its files) from the moment they are kept, so the bytes an
    /// upload continues from one are counted already, unlike those it copies from an existing file.
    /// </summary>
    public async ValueTask<IUpload> BeginUploadAsync(VirtualPath path, long keepExistingBytes, CancellationToken cancellationToken)
    {
        var existing = await inner.GetEntryAsync(path, cancellationToken).ConfigureAwait(false);
        var reservation = await ledger.BeginUploadAsync(limits, existing is null, cancellationToken).ConfigureAwait(false);
        try
        {
            var upload = await inner.BeginUploadAsync(path, keepExistingBytes, cancellationToken).ConfigureAwait(false);
            return new QuotaUpload(upload, reservation, ledger, existing is null ? 0 : keepExistingBytes);
        }
        catch
        {
            reservation.Release();
            throw;
        }
    }

    public ValueTask CreateDirectoryAsync(VirtualPath path, CancellationToken cancellationToken) =>
        inner.CreateDirectoryAsync(path, cancellationToken);

    public async ValueTask DeleteFileAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        var existing = await inner.GetEntryAsync(path, cancellationToken).ConfigureAwait(false);
        await ChangeAsync(
            ledger,
            async () =>
            {
                await inner.DeleteFileAsync(path, cancellationToken).ConfigureAwait(false);
                return existing is { IsDirectory: false } ? new StorageUsage(-existing.Size, -1) : default;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public ValueTask RemoveDirectoryAsync(VirtualPath path, CancellationToken cancellationToken) =>
        inner.RemoveDirectoryAsync(path, cancellationToken);

    public ValueTask CheckRenameSourceAsync(VirtualPath from, CancellationToken cancellationToken) =>
        inner.CheckRenameSourceAsync(from, cancellationToken);

    public async ValueTask RenameAsync(VirtualPath from, VirtualPath to, CancellationToken cancellationToken)
    {
        var overwritten = await inner.GetEntryAsync(to, cancellationToken).ConfigureAwait(false);
        await ChangeAsync(
            ledger,
            async () =>
            {
                await inner.RenameAsync(from, to, cancellationToken).ConfigureAwait(false);
                return overwritten is { IsDirectory: false } ? new StorageUsage(-overwritten.Size, -1) : default;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public ValueTask SetLastModifiedAsync(VirtualPath path, DateTimeOffset time, CancellationToken cancellationToken) =>
        inner.SetLastModifiedAsync(path, time, cancellationToken);

    private static async ValueTask ChangeAsync(QuotaLedger ledger, Func<ValueTask<StorageUsage>> change, CancellationToken cancellationToken)
    {
        await ledger.BeginChangeAsync(cancellationToken).ConfigureAwait(false);
        var made = default(StorageUsage);
        try
        {
            made = await change().ConfigureAwait(false);
        }
        finally
        {
            ledger.EndChange(made);
        }
    }

    /// <summary>The file limit is checked against the name as it was at the start; the usage recorded is what the commit really replaced.</summary>
    private sealed class QuotaUpload(IUpload inner, UploadReservation reservation, QuotaLedger ledger, long keptBytes) : IUpload
    {
        private readonly ReservingStream _content = new(inner.Content, reservation);

        public Stream Content => _content;

        public ValueTask<UploadCommit> CommitAsync(CancellationToken cancellationToken) => CommitAsync(null, cancellationToken);

        public async ValueTask<UploadCommit> CommitAsync(PublishCheck? check, CancellationToken cancellationToken)
        {
            var committed = default(UploadCommit);
            await ChangeAsync(
                ledger,
                async () =>
                {
                    committed = check is null
                        ? await inner.CommitAsync(cancellationToken).ConfigureAwait(false)
                        : await inner.CommitAsync(check, cancellationToken).ConfigureAwait(false);
                    var replaced = committed.Replaced;
                    return new StorageUsage(keptBytes + reservation.Bytes - (replaced ?? 0) - committed.PartialBytesRemoved, replaced is null ? 1 : 0);
                },
                cancellationToken).ConfigureAwait(false);

            // Counted before the reservation is released, so no other upload ever sees the room twice.
            reservation.Release();

            return committed;
        }

        public async ValueTask<long> KeepPartialAsync(CancellationToken cancellationToken)
        {
            var grown = 0L;
            await ChangeAsync(
                ledger,
                async () =>
                {
                    grown = await inner.KeepPartialAsync(cancellationToken).ConfigureAwait(false);
                    return new StorageUsage(grown, 0);
                },
                cancellationToken).ConfigureAwait(false);
            reservation.Release();
            return grown;
        }

        public async ValueTask DisposeAsync()
        {
            reservation.Release();
            await inner.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Claims room in the ledger before each write reaches the disk.</summary>
    private sealed class ReservingStream(Stream inner, UploadReservation reservation) : WriteOnlyStream(inner), ISocketReceiver
    {
        public bool CanReceive => Inner is ISocketReceiver { CanReceive: true };

        public int? ReceiveFrom(Socket socket, int maximum, Action<int>? admitting = null) =>
            ((ISocketReceiver)Inner).ReceiveFrom(socket, maximum, count =>
            {
                // The caller counts what arrived before the ledger may refuse it, as for a block read and then written.
                admitting?.Invoke(count);
                reservation.Reserve(count);
            });

        public override void Write(byte[] buffer, int offset, int count)
        {
            reservation.Reserve(count);
            Inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            reservation.Reserve(buffer.Length);
            return Inner.WriteAsync(buffer, cancellationToken);
        }
    }
}
