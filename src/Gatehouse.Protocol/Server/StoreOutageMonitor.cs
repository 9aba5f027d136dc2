using System.Data.Common;
using System.Globalization;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Server;

/// <summary>
/// Tells the operator of an account store outage once, plainly: one warning when the store becomes unreachable (what
/// keeps working, what is refused), a reminder at most once a minute while it stays away, and one line when it is back,
/// after the work kept in memory meanwhile (<see cref="IStoreBacklog"/>) has been written. The queries that failed say
/// nothing more than Debug. It also asks the store every few seconds while it is away, so that its return is noticed
/// even on a node nobody uses.
/// </summary>
/// <param name="probe">A harmless query of the store.</param>
/// <param name="offlineLoginHours">AccountStore:OfflineLoginHours, to say which logins still work.</param>
public sealed class StoreOutageMonitor : BackgroundService
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan ReminderInterval = TimeSpan.FromMinutes(1);

    /// <summary>One write-back at a time: the one the store's return starts, or a retry of what it could not write.</summary>
    private readonly SemaphoreSlim _writingBack = new(1, 1);
    private readonly Lock _lock = new();
    private readonly StoreReachability _reachability;
    private readonly string _store;
    private readonly IReadOnlyList<IStoreBacklog> _backlogs;
    private readonly Func<CancellationToken, Task> _probe;
    private readonly int _offlineLoginHours;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreOutageMonitor> _logger;
    private DateTimeOffset _lastNotice;
    private bool _backlogLeft;
    private Task _writeBack = Task.CompletedTask;

    /// <summary>Listens to the store's reachability from here on, so that an outage during start-up is said too.</summary>
    public StoreOutageMonitor(
        StoreReachability reachability,
        string store,
        IReadOnlyList<IStoreBacklog> backlogs,
        Func<CancellationToken, Task> probe,
        int offlineLoginHours,
        TimeProvider time,
        ILogger<StoreOutageMonitor> logger)
    {
        (_reachability, _store, _backlogs, _probe, _offlineLoginHours, _time, _logger) =
            (reachability, store, backlogs, probe, offlineLoginHours, time, logger);
        reachability.Lost += OnLost;
        reachability.Restored += OnRestored;
    }

    /// <summary>The write-back started by the store's last return (for tests and shutdown).</summary>
    public Task WriteBack
    {
        get
        {
            lock (_lock)
            {
                return _writeBack;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await WriteBack.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(ProbeInterval, _time, () => TickAsync(stoppingToken), stoppingToken);

    /// <summary>While the store is away: the reminder when a minute has passed, and a probe. Once it is back: what is left to write.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        if (_reachability.UnreachableSince is not { } since)
        {
            if (Volatile.Read(ref _backlogLeft))
            {
                await WriteBackAsync(away: null, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var now = _time.GetUtcNow();
        var remind = false;
        lock (_lock)
        {
            if (now - _lastNotice >= ReminderInterval)
            {
                _lastNotice = now;
                remind = true;
            }
        }

        if (remind)
        {
            Log.StoreStillUnreachable(_logger, _store, since, Minutes(now - since), _reachability.Failure ?? "no answer");
        }

        try
        {
            await _probe(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException)
        {
            // Still away (or refusing the _probe): the reminder says so, at most once a minute.
        }
    }

    private void OnLost(string failure)
    {
        lock (_lock)
        {
            _lastNotice = _time.GetUtcNow();
        }

        var logins = _offlineLoginHours > 0
            ? $"partners who logged in within the last {_offlineLoginHours} h (AccountStore:OfflineLoginHours), as this node last knew, log in against that login, others get 421 \"try again in a minute\""
            : "every login gets 421 \"try again in a minute\" (AccountStore:OfflineLoginHours is 0)";
        Log.StoreUnreachable(_logger, _store, failure, logins);
    }

    private void OnRestored(TimeSpan away)
    {
        lock (_lock)
        {
            _writeBack = Task.Run(() => WriteBackAsync(away, CancellationToken.None));
        }
    }

    /// <param name="away">How long the store was away, when its return started this write-back; null for a retry.</param>
    private async Task WriteBackAsync(TimeSpan? away, CancellationToken cancellationToken)
    {
        await _writingBack.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var written = new List<string>();
            var left = new List<string>();
            foreach (var backlog in _backlogs)
            {
                try
                {
                    var count = await backlog.WriteBackAsync(cancellationToken).ConfigureAwait(false);
                    if (count > 0)
                    {
                        written.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {backlog.What}"));
                    }
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    left.Add($"{backlog.What} ({failure.Message})");
                }
            }

            Volatile.Write(ref _backlogLeft, left.Count > 0);
            var summary = (written.Count == 0 ? "nothing was waiting to be written" : "written back: " + string.Join(", ", written))
                + (left.Count == 0 ? string.Empty : "; not yet, tried again in a few seconds: " + string.Join(", ", left));
            if (away is { } duration)
            {
                Log.StoreBack(_logger, _store, (long)Math.Round(duration.TotalSeconds), summary);
            }
            else if (written.Count > 0 || left.Count > 0)
            {
                Log.StoreWrittenBack(_logger, _store, summary);
            }
        }
        finally
        {
            _writingBack.Release();
        }
    }

    private static long Minutes(TimeSpan span) => (long)span.TotalMinutes;

    public override void Dispose()
    {
        _reachability.Lost -= OnLost;
        _reachability.Restored -= OnRestored;
        _writingBack.Dispose();
        base.Dispose();
    }
}
