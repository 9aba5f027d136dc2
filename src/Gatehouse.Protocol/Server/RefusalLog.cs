using System.Collections.Concurrent;
using System.Net;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Server;

/// <summary>
/// Logs refused connections: the first refusal of an address for a reason, then at most one line a minute while the
/// refusals go on, with how many were not logged. A banned or flooding address that reconnects thousands of times a
/// second must neither flood the log nor slow the server down with it.
/// </summary>
public sealed class RefusalLog(ILogger logger, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int MaxTracked = 10_000;
    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();

    public void Refused(IPAddress address, string reason)
    {
        var now = time.GetUtcNow();
        if (_entries.Count >= MaxTracked)
        {
            Forget(now);
        }

        var entry = _entries.GetOrAdd(address, _ => new Entry());
        int unlogged;
        lock (entry)
        {
            if (entry.Reason == reason && now - entry.LoggedAt < Interval)
            {
                entry.Unlogged++;
                return;
            }

            (unlogged, entry.Unlogged, entry.Reason, entry.LoggedAt) = (entry.Unlogged, 0, reason, now);
        }

        if (unlogged == 0)
        {
            Log.ConnectionRefused(logger, address, reason);
        }
        else
        {
            Log.ConnectionRefusedAgain(logger, address, reason, unlogged);
        }
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (address, entry) in _entries)
        {
            if (now - entry.LoggedAt >= Interval)
            {
                _entries.TryRemove(address, out _);
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
