namespace Gatehouse.Storage.Local;

/// <summary>
/// Data goes to a hidden temporary file in the target directory and replaces the final name atomically on commit
/// (<see cref="AtomicReplace"/>), after an fsync unless <paramref name="syncToDisk"/> is off.
/// </summary>
internal sealed class LocalUpload(EarlyWritebackStream content, string temporaryPath, string finalPath, bool syncToDisk) : IUpload
{
    private const int CopyBufferSize = 1 << 20;
    private bool _committed;

    public Stream Content => content;

    /// <summary>
    /// Starts an upload to <paramref name="final"/>: a new temporary file beside it, holding the first
    /// <paramref name="keepExistingBytes"/> of the existing file when there are any to keep (resume, append).
    /// </summary>
    public static LocalUpload Begin(string final, long keepExistingBytes, VirtualPath path, bool syncToDisk)
    {
        var temporary = TemporaryUploads.Claim(Path.GetDirectoryName(final)!);
        try
        {
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
            return new LocalUpload(new EarlyWritebackStream(stream), temporary, final, syncToDisk);
        }
        catch
        {
            Discard(temporary);
            throw;
        }
    }

    public ValueTask<long?> CommitAsync(CancellationToken cancellationToken) => CommitAsync(null, cancellationToken);

    public async ValueTask<long?> CommitAsync(PublishCheck? check, CancellationToken cancellationToken)
    {
        try
        {
            await content.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (syncToDisk)
            {
                content.FlushToDisk();
            }

            await content.DisposeAsync().ConfigureAwait(false);
            if (check is not null)
            {
                await check(temporaryPath, cancellationToken).ConfigureAwait(false);
            }

            var replaced = AtomicReplace.Move(temporaryPath, finalPath);
            _committed = true;
            TemporaryUploads.Release(temporaryPath);
            return replaced;
        }
        catch (Exception ex) when (StorageErrors.TryTranslate(ex, out var translated))
        {
            throw translated;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await content.DisposeAsync().ConfigureAwait(false);
        if (!_committed)
        {
            Discard(temporaryPath);
        }
    }

    /// <summary>Deletes the file before the name is released, so the sweep never finds it unowned while this process holds it.</summary>
    private static void Discard(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary name is hidden from clients, never served, and removed by the sweep.
        }

        TemporaryUploads.Release(temporary);
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
            throw FileSystemException.OffsetBeyondEnd(path, length, existing.Length);
        }

        // File.Copy uses the kernel's copy path (copy_file_range/reflink) where available.
        File.Copy(source, destination);
        if (length < existing.Length)
        {
            using var truncate = new FileStream(destination, FileMode.Open, FileAccess.Write, FileShare.None, CopyBufferSize);
            truncate.SetLength(length);
        }
    }
}
