namespace Gatehouse.Storage.Local;

/// <summary>
/// Data goes to a hidden temporary file in the target directory and replaces the final name atomically on commit
/// (<see cref="AtomicReplace"/>), after an fsync unless <paramref name="syncToDisk"/> is off. An upload that may be
/// resumed (<paramref name="partialPath"/>: a new file, resume on) is kept under that name when its transfer is cut, and
/// one that continued a kept partial (<paramref name="resumedBytes"/> of it) puts it back as it was when discarded.
/// </summary>
internal sealed class LocalUpload(
    EarlyWritebackStream content, string temporaryPath, string finalPath, bool syncToDisk, string? partialPath, long resumedBytes) : IUpload
{
    private const int CopyBufferSize = 1 << 20;
    private bool _ended;

    public Stream Content => content;

    /// <summary>
    /// Starts an upload to <paramref name="final"/>: a new temporary file beside it, holding the first
    /// <paramref name="keepExistingBytes"/> of the existing file when there are any to keep (resume, append), or, when no
    /// file holds the name and <paramref name="partialPath"/> is given, the kept partial upload itself, whose length
    /// <paramref name="keepExistingBytes"/> must equal.
    /// </summary>
    /// <param name="partialPath">Where this user's interrupted upload to the name is kept; null when resume is off.</param>
    public static LocalUpload Begin(string final, long keepExistingBytes, VirtualPath path, bool syncToDisk, string? partialPath)
    {
        var resumable = partialPath is not null && !File.Exists(final);
        var resuming = keepExistingBytes > 0 && resumable;
        var temporary = TemporaryUploads.Claim(
            Path.GetDirectoryName(final)!, resuming ? PartialUploads.ResumingName(Path.GetFileName(partialPath)!, keepExistingBytes) : null);
        var resumed = 0L;
        try
        {
            if (resuming)
            {
                TakePartial(partialPath!, temporary, keepExistingBytes, path);
                resumed = keepExistingBytes;
            }
            else if (keepExistingBytes > 0)
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
            return new LocalUpload(new EarlyWritebackStream(stream), temporary, final, syncToDisk, resumable ? partialPath : null, resumed);
        }
        catch
        {
            if (resumed > 0)
            {
                PutBack(temporary, partialPath!, resumed);
            }
            else
            {
                Discard(temporary);
            }

            throw;
        }
    }

    public ValueTask<UploadCommit> CommitAsync(CancellationToken cancellationToken) => CommitAsync(null, cancellationToken);

    public async ValueTask<UploadCommit> CommitAsync(PublishCheck? check, CancellationToken cancellationToken)
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
            _ended = true;
            TemporaryUploads.Release(temporaryPath);
            return new UploadCommit(replaced, partialPath is null ? 0 : RemoveSuperseded(partialPath));
        }
        catch (Exception ex) when (StorageErrors.TryTranslate(ex, out var translated))
        {
            throw translated;
        }
    }

    public async ValueTask<long> KeepPartialAsync(CancellationToken cancellationToken)
    {
        if (partialPath is null || _ended)
        {
            await DisposeAsync().ConfigureAwait(false);
            return 0;
        }

        try
        {
            await content.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (syncToDisk)
            {
                // The client resumes from the length it is told: that length must be on the disk after a power cut.
                content.FlushToDisk();
            }

            var length = content.Length;
            await content.DisposeAsync().ConfigureAwait(false);
            if (length == 0)
            {
                await DisposeAsync().ConfigureAwait(false);
                return 0;
            }

            // Replaces a partial that another attempt at the same name kept meanwhile: the later interruption wins.
            var replaced = AtomicReplace.Move(temporaryPath, partialPath);
            _ended = true;
            TemporaryUploads.Release(temporaryPath);
            return length - resumedBytes - (replaced ?? 0);
        }
        catch (Exception ex) when (StorageErrors.TryTranslate(ex, out var translated))
        {
            throw translated;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await content.DisposeAsync().ConfigureAwait(false);
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (resumedBytes > 0)
        {
            PutBack(temporaryPath, partialPath!, resumedBytes);
        }
        else
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

    /// <summary>
    /// Takes this user's kept partial upload for the name, when its length is exactly the client's restart offset: the
    /// offset is the client's claim, the partial's length the fact. Renamed, not copied, so a second attempt at the same
    /// name cannot take it too; its last-write time is renewed first, so no node's sweep takes the renamed file for an
    /// abandoned one before this upload writes to it.
    /// </summary>
    private static void TakePartial(string partial, string temporary, long offset, VirtualPath path)
    {
        var length = PartialUploads.Length(partial)
            ?? throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist, so there is nothing to resume or append to.");
        if (length != offset)
        {
            throw OffsetMismatch(offset, length);
        }

        try
        {
            File.SetLastWriteTimeUtc(partial, DateTime.UtcNow);
            File.Move(partial, temporary);
        }
        catch (FileNotFoundException)
        {
            throw new FileSystemException(FileSystemError.NotFound, $"Your interrupted upload to {path.Name} was just resumed or replaced by another transfer; ask SIZE again.");
        }

        var taken = new FileInfo(temporary).Length;
        if (taken != offset)
        {
            // Another attempt changed it between the look and the rename: give it back untouched.
            PutBack(temporary, partial, taken);
            throw OffsetMismatch(offset, taken);
        }
    }

    /// <summary>Without the path: inside a mounted folder this file system knows only the folder's part of it.</summary>
    private static FileSystemException OffsetMismatch(long offset, long length) =>
        new(FileSystemError.OffsetBeyondEnd, $"Restart offset {offset} does not match the {length} bytes kept of your interrupted upload to this name; send REST {length}, or STOR without REST to start again.");

    /// <summary>A resumed partial, cut back to the <paramref name="length"/> it had when taken, goes back under its name.</summary>
    private static void PutBack(string temporary, string partial, long length)
    {
        try
        {
            using (var file = new FileStream(temporary, FileMode.Open, FileAccess.Write, FileShare.None, 1))
            {
                file.SetLength(length);
            }

            AtomicReplace.Move(temporary, partial);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left under its temporary name: hidden, and removed by the abandoned-upload sweep.
        }

        TemporaryUploads.Release(temporary);
    }

    /// <summary>Removes a partial upload of the name that a complete upload made obsolete; its size, or 0.</summary>
    private static long RemoveSuperseded(string partial)
    {
        if (PartialUploads.Length(partial) is not { } length)
        {
            return 0;
        }

        try
        {
            File.Delete(partial);
            return length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
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
