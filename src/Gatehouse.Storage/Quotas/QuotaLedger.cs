using System.Globalization;

namespace Gatehouse.Storage.Quotas;

/// <summary>
/// The usage of one storage area, shared by every session of this server. Uploads reserve bytes as they arrive,
/// so concurrent uploads can never together pass the limit; committed changes are added to the store
/// atomically. While no upload is in flight the ledger re-reads the store (by default at most once a second), which
/// picks up <c>quota scan</c> and the uploads of other nodes sharing the store, without a database read before every
/// upload.
/// </summary>
public sealed class QuotaLedger(string area, string description, Func<StorageUsage> scan, IUsageStore store, TimeSpan? refreshInterval = null)
{
    private readonly long _refreshMilliseconds = (long)(refreshInterval ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
    private readonly object _counters = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private StorageUsage _used;
    private long _reservedBytes;
    private long _reservedFiles;
    private int _inFlight;
    private long? _refreshedAt;

    /// <summary>Bumped by every recorded change, so a reload that raced with one is thrown away.</summary>
    private long _changes;

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

    public async Task RecordAsync(StorageUsage change, CancellationToken cancellationToken)
    {
        if (change == default)
        {
            return;
        }

        lock (_counters)
        {
            _used += change;
            _changes++;
        }

        await store.AddAsync(Area, change, cancellationToken).ConfigureAwait(false);
    }

    internal void Reserve(UploadReservation reservation, long bytes)
    {
        lock (_counters)
        {
            if (reservation.Limits.Bytes is { } maxBytes && _used.Bytes + _reservedBytes + bytes > maxBytes)
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

    private async Task RefreshIfIdleAsync(CancellationToken cancellationToken)
    {
        long changesBefore;
        lock (_counters)
        {
            if (_inFlight > 0 || (_refreshedAt is { } last && Environment.TickCount64 - last < _refreshMilliseconds))
            {
                return;
            }

            changesBefore = _changes;
        }

        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await store.LoadAsync(Area, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                stored = await Task.Run(scan, cancellationToken).ConfigureAwait(false);
                await store.SetAsync(Area, stored.Value, cancellationToken).ConfigureAwait(false);
            }

            lock (_counters)
            {
                if (_inFlight == 0 && _changes == changesBefore)
                {
                    _used = stored.Value;
                    _refreshedAt = Environment.TickCount64;
                }
            }
        }
        finally
        {
            _loading.Release();
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

/// <summary>One upload's claim on a ledger; released when the upload ends, committed or not.</summary>
public sealed class UploadReservation(QuotaLedger ledger, QuotaLimits limits, bool newFile)
{
    private int _released;

    public QuotaLimits Limits { get; } = limits;

    public bool NewFile { get; } = newFile;

    public long Bytes { get; private set; }

    public void Reserve(long bytes)
    {
        ledger.Reserve(this, bytes);
        Bytes += bytes;
    }

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            ledger.Release(this);
        }
    }
}
