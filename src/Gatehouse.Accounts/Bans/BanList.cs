using System.Collections.Concurrent;
using System.Net;

namespace Gatehouse.Accounts.Bans;

/// <summary>
/// Scores abuse per client address in a sliding window and bans an address that passes the threshold. The
/// check at connect is served from memory; <see cref="RefreshAsync"/> reloads the store (for bans lifted or
/// added by <c>gatehouse ban</c> or by another node) and forgets stale scores. A ban the store could not take (it was
/// unreachable) holds in memory and is written before the next reload, or when the store is back.
/// </summary>
/// <param name="banned">Told of each ban decided here (the ban event of event rules), before the ban is saved.</param>
public sealed class BanList(IBanStore store, BanPolicy policy, TimeProvider time, Func<BanRecord, ValueTask>? banned = null) : Store.IStoreBacklog
{
    private const int MaxTrackedAddresses = 100_000;
    private readonly ConcurrentDictionary<string, BanRecord> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BanRecord> _unsaved = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Score> _scores = new(StringComparer.Ordinal);

    public BanPolicy Policy => policy;

    public string What => "bans";

    /// <summary>Addresses banned now (the gatehouse.bans.active gauge).</summary>
    public int ActiveCount
    {
        get
        {
            var now = time.GetUtcNow();
            return _records.Values.Count(record => record.BannedUntil > now);
        }
    }

    public bool IsBanned(IPAddress address, out BanRecord ban)
    {
        if (_records.TryGetValue(Key(address), out var record) && record.BannedUntil > time.GetUtcNow())
        {
            ban = record;
            return true;
        }

        ban = null!;
        return false;
    }

    /// <returns>The new ban when this report earned one, else null.</returns>
    public async Task<BanRecord?> ReportAsync(IPAddress address, AbuseKind kind, string detail, CancellationToken cancellationToken)
    {
        if (!policy.Enabled || policy.Exempt.Contains(address) || IsBanned(address, out _))
        {
            return null;
        }

        var key = Key(address);
        var now = time.GetUtcNow();
        if (_scores.Count >= MaxTrackedAddresses)
        {
            Forget(now);
        }

        var score = _scores.GetOrAdd(key, _ => new Score());
        if (score.Add(now, BanPolicy.Points(kind), policy.Window) < policy.Threshold)
        {
            return null;
        }

        _scores.TryRemove(key, out _);
        var offences = _records.TryGetValue(key, out var previous) && now - previous.LastOffenceAt < policy.OffenceMemory ? previous.Offences + 1 : 1;
        var ban = new BanRecord(key, now + policy.DurationFor(offences), offences, $"{kind}: {detail}", now);
        _records[key] = ban;
        _unsaved[key] = ban;
        if (banned is not null)
        {
            await banned(ban).ConfigureAwait(false);
        }

        await WriteBackAsync(cancellationToken).ConfigureAwait(false);
        return ban;
    }

    /// <summary>Saves the bans decided here that the store does not have yet; throws, keeping them, when it still cannot take them.</summary>
    public async Task<int> WriteBackAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var (key, ban) in _unsaved)
        {
            await store.SaveAsync(ban, cancellationToken).ConfigureAwait(false);
            _unsaved.TryRemove(new KeyValuePair<string, BanRecord>(key, ban));
            written++;
        }

        return written;
    }

    /// <summary>Writes the bans the store lacks first, so that reloading it does not lift them.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await WriteBackAsync(cancellationToken).ConfigureAwait(false);
        var stored = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in stored)
        {
            seen.Add(record.Address);
            _records[record.Address] = record;
        }

        foreach (var key in _records.Keys.Where(key => !seen.Contains(key)))
        {
            _records.TryRemove(key, out _);
        }

        Forget(time.GetUtcNow());
    }

    public static string Key(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, score) in _scores)
        {
            if (score.IsStale(now, policy.Window))
            {
                _scores.TryRemove(key, out _);
            }
        }
    }

    private sealed class Score
    {
        private readonly Queue<(DateTimeOffset At, int Points)> _events = new();
        private int _total;

        public int Add(DateTimeOffset now, int points, TimeSpan window)
        {
            lock (_events)
            {
                Expire(now, window);
                _events.Enqueue((now, points));
                _total += points;
                return _total;
            }
        }

        public bool IsStale(DateTimeOffset now, TimeSpan window)
        {
            lock (_events)
            {
                Expire(now, window);
                return _events.Count == 0;
            }
        }

        private void Expire(DateTimeOffset now, TimeSpan window)
        {
            while (_events.Count > 0 && now - _events.Peek().At > window)
            {
                _total -= _events.Dequeue().Points;
            }
        }
    }
}
