namespace Gatehouse.Protocol.Logging;

/// <summary>
/// A value read from somewhere slow (the account store) for observable instruments: a scrape gets the last value at
/// once and, when it is older than <paramref name="maxAge"/>, starts one read in the background for the next scrape.
/// However often scrapes come, the store is read at most once per <paramref name="maxAge"/>.
/// </summary>
public sealed class CachedReading<T>(Func<CancellationToken, Task<T>> read, T initial, TimeSpan maxAge, TimeProvider time)
    where T : class
{
    private T _value = initial;
    private long _readAtTicks;
    private int _reading;

    public T Current
    {
        get
        {
            if (time.GetUtcNow().UtcTicks - Interlocked.Read(ref _readAtTicks) >= maxAge.Ticks)
            {
                Refresh();
            }

            return Volatile.Read(ref _value);
        }
    }

    /// <summary>Starts a read unless one runs.</summary>
    public void Refresh()
    {
        if (Interlocked.CompareExchange(ref _reading, 1, 0) == 0)
        {
            _ = ReadAsync();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            Volatile.Write(ref _value, await read(CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception)
        {
            // The last value stays; an outage shows as gatehouse.store.reachable 0, and is logged by the outage monitor.
        }
        finally
        {
            Interlocked.Exchange(ref _readAtTicks, time.GetUtcNow().UtcTicks);
            Volatile.Write(ref _reading, 0);
        }
    }
}
