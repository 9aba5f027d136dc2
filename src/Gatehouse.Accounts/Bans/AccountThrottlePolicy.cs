namespace Gatehouse.Accounts.Bans;

/// <summary>What the store knows about one account name's recent failed logins, across every address and node.</summary>
/// <param name="Total">Failed (or still pending) logins for the name within the window.</param>
/// <param name="FromAddress">Of those, how many came from the address now trying.</param>
/// <param name="Addresses">How many different addresses they came from.</param>
/// <param name="Latest">The latest failure, or the latest answer already promised to a waiting attempt (it can lie ahead).</param>
public readonly record struct AccountFailures(int Total, int FromAddress, int Addresses, DateTimeOffset? Latest)
{
    public static AccountFailures None { get; } = new(0, 0, 0, null);
}

/// <summary>When to answer a PASS for a name under attack; <see cref="Refused"/>: the queue for the name is full.</summary>
public readonly record struct AccountThrottleDecision(DateTimeOffset AnswerAt, TimeSpan Wait, bool Refused)
{
    public bool Delayed => Wait > TimeSpan.Zero || Refused;

    public static AccountThrottleDecision Now(DateTimeOffset now) => new(now, TimeSpan.Zero, false);
}

/// <summary>
/// Per-account throttling against password spraying from many addresses (per-address bans do not see it). An address
/// that has not failed for the name within the window is answered at once, so that an attacker cannot slow a partner
/// who types the right password. Once the name has <see cref="FreeFailures"/> failures, attempts from addresses that
/// failed for it are answered one at a time, <see cref="SpacingAfter"/> apart (growing with the failures, up to
/// <see cref="MaxDelay"/>) whatever the number of connections, and an attempt that would wait longer than
/// <see cref="MaxDelay"/> is refused without a password check. The decision never depends on whether the account exists.
/// </summary>
public sealed record AccountThrottlePolicy(bool Enabled, int FreeFailures, TimeSpan Window, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    public static AccountThrottlePolicy Disabled { get; } = new(false, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>The same name for "Alice" and "alice", so that case does not open a second queue.</summary>
    public static string Key(string user) => user.ToLowerInvariant();

    /// <summary>Doubles with each failure past the free ones, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan SpacingAfter(int failures)
    {
        if (failures < FreeFailures)
        {
            return TimeSpan.Zero;
        }

        var factor = Math.Pow(2, Math.Min(failures - FreeFailures, 40));
        return TimeSpan.FromTicks((long)Math.Min(FirstDelay.Ticks * factor, MaxDelay.Ticks));
    }

    public AccountThrottleDecision Decide(AccountFailures recent, DateTimeOffset now)
    {
        var spacing = SpacingAfter(recent.Total);
        if (!Enabled || recent.FromAddress == 0 || spacing == TimeSpan.Zero)
        {
            return AccountThrottleDecision.Now(now);
        }

        var answerAt = recent.Latest is { } latest && latest + spacing > now ? latest + spacing : now;
        var wait = answerAt - now;
        return new AccountThrottleDecision(answerAt, wait, wait > MaxDelay);
    }
}
