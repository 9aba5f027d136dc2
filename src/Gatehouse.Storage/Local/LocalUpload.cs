namespace Gatehouse.Storage.Local;

/// <summary>
/// Data goes to a hidden temporary file in the target directory and replaces the final name atomically on commit
/// (<see cref="AtomicReplace"/>), after an fsync unless <paramref name="syncToDisk"/> is off.
/// </summary>
internal sealed class LocalUpload(EarlyWritebackStream content, string temporaryPath, string finalPath, bool syncToDisk) : IUpload
{
    private bool _committed;

    public Stream Content => content;

    public async ValueTask<long?> CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await content.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (syncToDisk)
            {
                content.FlushToDisk();
            }

            await content.DisposeAsync().ConfigureAwait(false);
            var replaced = AtomicReplace.Move(temporaryPath, finalPath);
            _committed = true;
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
            try
            {
                File.Delete(temporaryPath);
            }
            catch (IOException)
            {
                // Best effort: a leftover temporary name is hidden from clients and never served.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }
}
