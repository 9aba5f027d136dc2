using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace Gatehouse.Accounts.Store;

/// <summary>
/// Whether the account store answered the last time this node asked it anything. Every query reports here
/// (<see cref="AccountDatabase"/> does it), so the node knows of an outage from the first failed query and of the
/// store's return from the first that succeeds. Subscribers hear of each change once: at the start of an outage and
/// at its end, not at every failed query.
/// </summary>
public sealed class StoreReachability(TimeProvider time)
{
    private readonly Lock _lock = new();

    /// <summary>When the current outage began; null while the store answers.</summary>
    public DateTimeOffset? UnreachableSince { get; private set; }

    /// <summary>What the first failed query of the current outage was told.</summary>
    public string? Failure { get; private set; }

    public bool IsReachable => UnreachableSince is null;

    /// <summary>Raised once when an outage begins, with the failure that revealed it.</summary>
    public event Action<string>? Lost;

    /// <summary>Raised once when the store answers again, with how long it was away.</summary>
    public event Action<TimeSpan>? Restored;

    /// <summary>
    /// Whether <paramref name="error"/> means the store is away (so the caller should carry on without it) rather than
    /// that a statement was wrong. SQLite, a local file, has no outages of this kind.
    /// </summary>
    public static bool IsOutage(Exception error) => error switch
    {
        StoreUnavailableException => true,
        PostgresException postgres => IsOutageState(postgres.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        TimeoutException => true,
        DbException { InnerException: { } inner } => IsOutage(inner),
        _ => false,
    };

    public void ReportAnswered()
    {
        TimeSpan away;
        lock (_lock)
        {
            if (UnreachableSince is not { } since)
            {
                return;
            }

            away = time.GetUtcNow() - since;
            UnreachableSince = null;
            Failure = null;
        }

        Restored?.Invoke(away);
    }

    public void ReportUnreachable(Exception error)
    {
        lock (_lock)
        {
            if (UnreachableSince is not null)
            {
                return;
            }

            UnreachableSince = time.GetUtcNow();
            Failure = error.Message;
        }

        Lost?.Invoke(error.Message);
    }

    // Class 08: connection exceptions; 53: insufficient resources (too many connections); 57P01-57P03: the server
    // is shutting down, was shut down, or cannot take connections yet (a restart or failover in progress).
    private static bool IsOutageState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal)
        || state is "57P01" or "57P02" or "57P03";
}
