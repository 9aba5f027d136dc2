namespace Gatehouse.Storage.Quotas;

/// <summary>The ledger's marker (<see cref="UsageMarkers"/>): on disk before a change, gone once the store has it.</summary>
public sealed partial class QuotaLedger
{
    /// <summary>
    /// How often a marked area is checked for being settled. Longer costs nothing but a larger recount after a crash;
    /// shorter writes the marker again (a directory fsync: 10 ms on the test machine) for uploads a few seconds apart.
    /// </summary>
    private static readonly TimeSpan MarkerLinger = TimeSpan.FromMinutes(1);

    /// <summary>Guards <see cref="_marked"/>: a marker is never deleted while a change is being begun. Taken before <see cref="_storeAccess"/>.</summary>
    private readonly SemaphoreSlim _markerAccess = new(1, 1);
    private bool _marked;
    private bool _clearScheduled;

    /// <summary>
    /// Before a change reaches the disk (an upload put in place, a delete, an overwriting rename): puts the area's
    /// marker on disk unless it is there. Always followed by <see cref="EndChange"/>.
    /// </summary>
    public async ValueTask BeginChangeAsync(CancellationToken cancellationToken)
    {
        await _markerAccess.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (markers is not null && !_marked)
            {
                SetMarker(markers);
                _marked = true;
            }

            lock (_counters)
            {
                _changesUnderWay++;
            }
        }
        finally
        {
            _markerAccess.Release();
        }
    }

    /// <summary>Without its marker a crash could lose the change's usage for good, so the change is not made (fail closed).</summary>
    private void SetMarker(UsageMarkers markers)
    {
        try
        {
            markers.Set(Area);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FileSystemException(FileSystemError.IoError, $"The usage of {Description} could not be recorded safely, so the change was not made.", ex);
        }
    }

    /// <summary>One check a <see cref="MarkerLinger"/> for each ledger, however many saves its uploads cause meanwhile.</summary>
    private async Task ClearMarkerWhenSettledAsync()
    {
        lock (_counters)
        {
            if (markers is null || _clearScheduled)
            {
                return;
            }

            _clearScheduled = true;
        }

        try
        {
            do
            {
                await Task.Delay(MarkerLinger).ConfigureAwait(false);
            }
            while (!await ClearMarkerIfSavedAsync(CancellationToken.None).ConfigureAwait(false));
        }
        finally
        {
            lock (_counters)
            {
                _clearScheduled = false;
            }
        }
    }

    /// <returns>False while the marker is still needed (changes unsaved or under way).</returns>
    private async Task<bool> ClearMarkerIfSavedAsync(CancellationToken cancellationToken)
    {
        if (markers is null)
        {
            return true;
        }

        await _markerAccess.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // With the store's lock too: a save that has taken the changes but not written them yet leaves nothing unsaved in memory.
            await _storeAccess.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                lock (_counters)
                {
                    if (!_marked)
                    {
                        return true;
                    }

                    if (_unsaved != default || _changesUnderWay > 0)
                    {
                        return false;
                    }
                }

                markers.Clear(Area);
                _marked = false;
                return true;
            }
            finally
            {
                _storeAccess.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The marker stays: the next start counts the area again for nothing, which is harmless.
            return true;
        }
        finally
        {
            _markerAccess.Release();
        }
    }
}
