namespace Gatehouse.Accounts.Bans;

/// <param name="Offences">How many times this address has been banned; each ban lasts longer than the one before.</param>
public sealed record BanRecord(string Address, DateTimeOffset BannedUntil, int Offences, string Reason, DateTimeOffset LastOffenceAt);

/// <summary>Bans outlive restarts and, with a shared store, are seen by every node.</summary>
public interface IBanStore
{
    /// <summary>Every recorded address, expired bans included (they remember the offence count).</summary>
    Task<IReadOnlyList<BanRecord>> ListAsync(CancellationToken cancellationToken);

    Task SaveAsync(BanRecord ban, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string address, CancellationToken cancellationToken);
}

public enum AbuseKind
{
    FailedLogin,
    CommandBeforeLogin,
    ProtocolError,
    TooManyConnections,

    /// <summary>A connection held without logging in until the login time-out, or until it had to make room for others.</summary>
    HeldWithoutLogin,

    /// <summary>As <see cref="HeldWithoutLogin"/>, without ever sending a command: what a connection flood looks like, and no client does.</summary>
    SilentConnection,

    /// <summary>A second data connection from the session's address reached a passive port that the session's own had already taken.</summary>
    DataConnectionRace,
}

/// <param name="Threshold">Points within <paramref name="Window"/> that earn a ban.</param>
/// <param name="OffenceMemory">After this long without a ban, the next ban starts again at <paramref name="BanDuration"/>.</param>
public sealed record BanPolicy(
    bool Enabled,
    int Threshold,
    TimeSpan Window,
    TimeSpan BanDuration,
    TimeSpan MaxBanDuration,
    TimeSpan OffenceMemory,
    Networks.NetworkList Exempt)
{
    public static int Points(AbuseKind kind) => kind switch
    {
        AbuseKind.FailedLogin or AbuseKind.SilentConnection or AbuseKind.DataConnectionRace => 2,
        _ => 1,
    };

    /// <summary>Doubles with each offence, up to <see cref="MaxBanDuration"/>.</summary>
    public TimeSpan DurationFor(int offences)
    {
        var factor = Math.Pow(2, Math.Min(offences - 1, 30));
        var ticks = Math.Min(BanDuration.Ticks * factor, MaxBanDuration.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
