using System.Globalization;

namespace Gatehouse.Storage.Quotas;

/// <summary>
/// The usage of one storage area, shared by every session of this server. Uploads reserve bytes as they arrive,
/// so concurrent uploads can never together pass the limit; committed changes count here at once and reach the
/// store 20 ms later, off the reply's path: one write at a time, and the changes made meanwhile go together into
/// it (a database write before every 226 cost a third of a small upload). While no upload is in flight the
/// ledger re-reads the store (by default at most once a second), which picks up <c>quota scan</c> and the uploads
/// of other nodes sharing the store, without a database read before every upload.
/// A crash loses the changes not saved yet, so every change to the disk is bracketed by <see cref="BeginChangeAsync"/>
/// and <see cref="EndChange"/>: the first puts the area's marker on disk (<see cref="UsageMarkers"/>) before the
/// change is made, unless it is there already, and the marker goes once the store has every change and none is under
/// way, looked at a minute after a save (so a burst of uploads, or a steady stream, writes it once). The next start
/// counts the areas whose marker is left again from the disk.
/// The store is never needed for an upload to go on: while it does not answer (<c>storeAnswering</c>), the usage last
/// read stands and the changes wait in <see cref="Unsaved"/>; <c>saveFailed</c> hears of every read or write that failed.
/// </summary>
public sealed partial class QuotaLedger(
    string area,
    string description,
    Func<StorageUsage> scan,
    IUsageStore store,
    TimeSpan? refreshInterval = null,
    Action<QuotaLedger, Exception>? saveFailed = null,
    UsageMarkers? markers = null,
    Func<bool>? storeAnswering = null)
{
    private static readonly TimeSpan SaveDelay = TimeSpan.FromMilliseconds(20);

    private readonly long _refreshMilliseconds = (long)(refreshInterval ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
    private readonly object _counters = new();
    /// <summary>One store read or write at a time, so a reload never sees half of this ledger's unsaved changes.</summary>
    private readonly SemaphoreSlim _storeAccess = new(1, 1);
    private int _changesUnderWay;
    private long _abandonedBytes;
    private StorageUsage _used;
    private long _reservedBytes;
    private long _reservedFiles;
    private int _inFlight;
    private long? _refreshedAt;

    /// <summary>Bumped by every recorded change, so a first scan that raced with one is not taken as the usage.</summary>
    private long _changes;

    private StorageUsage _unsaved;

    private bool _saveQueued;

    public string Area { get; } = area;

    /// <summary>"your home" or "folder prices", for messages.</summary>
    public string Description { get; } = description;

    public StorageUsage Used
    {
        get
        {
            lock (_counters)
            {
                return _used;
            }
        }
    }

    /// <summary>Changes counted in <see cref="Used"/> that the store does not have yet.</summary>
    public StorageUsage Unsaved
    {
        get
        {
            lock (_counters)
            {
                return _unsaved;
            }
        }
    }

    /// <summary>
    /// Bytes of temporary upload files in the area that no running upload owns any more, as the last sweep found
    /// them: counted against the byte limit until they are removed.
    /// </summary>
    public long AbandonedBytes
    {
        get
        {
            lock (_counters)
            {
                return _abandonedBytes;
            }
        }

        set
        {
            lock (_counters)
            {
                _abandonedBytes = value;
            }
        }
    }

    public async Task<UploadReservation> BeginUploadAsync(QuotaLimits limits, bool newFile, CancellationToken cancellationToken)
    {
        await RefreshIfIdleAsync(cancellationToken).ConfigureAwait(false);
        lock (_counters)
        {
            if (newFile && limits.Files is { } maxFiles && _used.Files + _reservedFiles + 1 > maxFiles)
            {
                throw Exceeded($"{Description} already holds {_used.Files} of its {maxFiles} allowed files");
            }

            _reservedFiles += newFile ? 1 : 0;
            _inFlight++;
            return new UploadReservation(this, limits, newFile);
        }
    }

    /// <summary>Counts what the change begun by <see cref="BeginChangeAsync"/> did (default: nothing), as <see cref="Record"/> does.</summary>
    public void EndChange(StorageUsage change) => Count(change, endsChange: true);

    /// <summary>Counts a committed change now; the store gets it in the background (<see cref="SaveAsync"/>).</summary>
    public void Record(StorageUsage change) => Count(change, endsChange: false);

    /// <summary>
    /// Adds every change not yet in the store to it, and then removes the marker if no change is under way; at
    /// shutdown, and wherever the store must be current.
    /// </summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        await SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await ClearMarkerIfSavedAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Count(StorageUsage change, bool endsChange)
    {
        lock (_counters)
        {
            _changesUnderWay -= endsChange ? 1 : 0;
            if (change == default)
            {
                return;
            }

            _used += change;
            _unsaved += change;
            _changes++;
            if (_saveQueued)
            {
                return;
            }

            _saveQueued = true;
        }

        _ = SaveQueuedAsync();
    }

    private async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        await _storeAccess.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StorageUsage batch;
            lock (_counters)
            {
                batch = _unsaved;
                _unsaved = default;
                _saveQueued = false;
            }

            if (batch == default)
            {
                return;
            }

            try
            {
                await store.AddAsync(Area, batch, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lock (_counters)
                {
                    _unsaved += batch;
                }

                throw;
            }
        }
        finally
        {
            _storeAccess.Release();
        }
    }

    private async Task SaveQueuedAsync()
    {
        try
        {
            // Off the committing thread (the SQLite provider's async calls run synchronously), and late enough
            // that the changes of a burst of small uploads share one write.
            await Task.Delay(SaveDelay).ConfigureAwait(false);
            await SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            // Kept for the next save (the next change, or shutdown), and so is the marker; the server reports it, the upload stands.
            saveFailed?.Invoke(this, failure);
            return;
        }

        await ClearMarkerWhenSettledAsync().ConfigureAwait(false);
    }

    internal void Reserve(UploadReservation reservation, long bytes)
    {
        lock (_counters)
        {
            if (reservation.Limits.Bytes is { } maxBytes && _used.Bytes + _reservedBytes + _abandonedBytes + bytes > maxBytes)
            {
                throw Exceeded($"this upload would take {Description} past its limit of {Format(maxBytes)}");
            }

            _reservedBytes += bytes;
        }
    }

    internal void Release(UploadReservation reservation)
    {
        lock (_counters)
        {
            _reservedBytes -= reservation.Bytes;
            _reservedFiles -= reservation.NewFile ? 1 : 0;
            _inFlight--;
        }
    }

    private bool NeverRead
    {
        get
        {
            lock (_counters)
            {
                return _refreshedAt is null;
            }
        }
    }

    private async Task RefreshIfIdleAsync(CancellationToken cancellationToken)
    {
        long changesBefore;
        lock (_counters)
        {
            if (_inFlight > 0 || (_refreshedAt is { } last && Environment.TickCount64 - last < _refreshMilliseconds)
                || (_refreshedAt is not null && storeAnswering?.Invoke() == false))
            {
                return;
            }

            changesBefore = _changes;
        }

        await _storeAccess.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (stored, scanned, storeHasIt) = await ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (_counters)
            {
                if (scanned && storeHasIt && _changes == changesBefore)
                {
                    // The disk already holds what was not saved yet, and the store now has the disk's count.
                    _unsaved = default;
                }

                if (_inFlight == 0 && (!scanned || _changes == changesBefore))
                {
                    // No save runs while the store is read: what it lacks of this node's changes is exactly _unsaved.
                    // A count of the disk already holds them.
                    _used = scanned ? stored : stored + _unsaved;
                    _refreshedAt = Environment.TickCount64;
                }
            }
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // The store is away: the upload goes on with the usage last read (the first read of an area counts its
            // disk instead), and the changes are saved when the store is back. No transfer fails for bookkeeping.
            saveFailed?.Invoke(this, failure);
        }
        finally
        {
            _storeAccess.Release();
        }
    }

    /// <summary>
    /// The area's usage as the store holds it, or counted from the disk when the store has none yet (and then stored),
    /// or has not answered and this ledger has never read it.
    /// </summary>
    private async Task<(StorageUsage Usage, bool Scanned, bool StoreHasIt)> ReadAsync(CancellationToken cancellationToken)
    {
        StorageUsage? stored;
        try
        {
            stored = await store.LoadAsync(Area, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not OperationCanceledException && NeverRead)
        {
            saveFailed?.Invoke(this, failure);
            return (await Task.Run(scan, cancellationToken).ConfigureAwait(false), true, false);
        }

        if (stored is { } known)
        {
            return (known, false, true);
        }

        var counted = await Task.Run(scan, cancellationToken).ConfigureAwait(false);
        try
        {
            await store.SetAsync(Area, counted, cancellationToken).ConfigureAwait(false);
            return (counted, true, true);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            saveFailed?.Invoke(this, failure);
            return (counted, true, false);
        }
    }

    private static FileSystemException Exceeded(string why) =>
        new(FileSystemError.QuotaExceeded, $"Quota exceeded: {why}. The upload was discarded; delete files or ask the administrator for more room.");

    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.##} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.##} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
