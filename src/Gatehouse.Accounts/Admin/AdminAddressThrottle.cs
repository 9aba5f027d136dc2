namespace Gatehouse.Accounts.Admin;

/// <summary>
/// Failed administrator logins counted per client address, beside the per-account lockout of <see cref="AdminLogin"/>:
/// one address trying many names (or one name's password and codes) is stopped after <see cref="MaxFailures"/>
/// failures within <see cref="Window"/>, before any password is checked, without locking out the administrators it
/// tries. Counted in this node's memory, for the window that began with the address's first failure; at most
/// <see cref="MaxAddresses"/> addresses are tracked, those whose window is over being forgotten first.
/// </summary>
public sealed class AdminAddressThrottle(TimeProvider time)
{
    public const int MaxFailures = 20;
    public const int MaxAddresses = 10_000;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly Dictionary<string, (DateTimeOffset Since, int Failures)> _addresses = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>When the address may try again, or null when it may now.</summary>
    public DateTimeOffset? BlockedUntil(string address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return _addresses.TryGetValue(address, out var entry) && entry.Failures >= MaxFailures && entry.Since + Window > now ? entry.Since + Window : null;
        }
    }

    /// <returns>The failures counted for the address in its current window, this one included.</returns>
    public int Fail(string address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_addresses.TryGetValue(address, out var entry) || entry.Since + Window <= now)
            {
                if (_addresses.Count >= MaxAddresses)
                {
                    Forget(now);
                }

                entry = (now, 0);
            }

            entry.Failures++;
            _addresses[address] = entry;
            return entry.Failures;
        }
    }

    /// <summary>Drops the addresses whose window is over; if every window is still open, the oldest.</summary>
    private void Forget(DateTimeOffset now)
    {
        var over = _addresses.Where(pair => pair.Value.Since + Window <= now).Select(pair => pair.Key).ToList();
        if (over.Count == 0)
        {
            over.Add(_addresses.MinBy(pair => pair.Value.Since).Key);
        }

        foreach (var address in over)
        {
            _addresses.Remove(address);
        }
    }
}
