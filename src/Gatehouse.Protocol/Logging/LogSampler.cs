using System.Collections.Concurrent;

namespace Gatehouse.Protocol.Logging;

/// <summary>
/// Decides which of many repeated events to log: the first for a key and reason, then at most one an interval while
/// they go on, with how many were not logged. Something an attacker can repeat thousands of times a second must
/// neither flood the log nor slow the server down with it. At most 10,000 keys are remembered.
/// </summary>
public sealed class LogSampler<TKey>(TimeProvider time, TimeSpan interval)
    where TKey : notnull
{
    private const int MaxTracked = 10_000;
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    /// <param name="unlogged">When true: how many events of the key and reason were left out since the last logged one.</param>
    public bool ShouldLog(TKey key, string reason, out int unlogged)
    {
        var now = time.GetUtcNow();
        if (_entries.Count >= MaxTracked)
        {
            Forget(now);
        }

        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            if (entry.Reason == reason && now - entry.LoggedAt < interval)
            {
                entry.Unlogged++;
                unlogged = 0;
                return false;
            }

            (unlogged, entry.Unlogged, entry.Reason, entry.LoggedAt) = (entry.Unlogged, 0, reason, now);
            return true;
        }
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (now - entry.LoggedAt >= interval)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed class Entry
    {
        public string? Reason { get; set; }

        public DateTimeOffset LoggedAt { get; set; }

        public int Unlogged { get; set; }
    }
}
