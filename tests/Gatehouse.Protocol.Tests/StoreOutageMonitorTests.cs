using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Tests.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Protocol.Tests;

/// <summary>An outage of the account store is said once, reminded at most once a minute, and its end said with what was written back.</summary>
public sealed class StoreOutageMonitorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task An_outage_is_one_warning_a_reminder_a_minute_and_one_line_with_what_was_written_back()
    {
        var reachability = new StoreReachability(_time);
        var probes = 0;
        var bans = new CountedBacklog("bans", 2);
        var sessions = new CountedBacklog("user sessions", 0);
        using var monitor = new StoreOutageMonitor(
            reachability, "PostgreSQL db:5432/gatehouse", [bans, sessions], _ => { probes++; return Task.CompletedTask; }, 24, _time, _logs.CreateLogger<StoreOutageMonitor>());

        // Every query of the outage fails; the first says so.
        for (var i = 0; i < 30; i++)
        {
            reachability.ReportUnreachable(new TimeoutException("no answer"));
        }

        for (var second = 5; second <= 150; second += 5)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await monitor.TickAsync(CancellationToken.None);
        }

        reachability.ReportAnswered();
        await monitor.WriteBack;

        var warning = Assert.Single(_logs.Entries, entry => entry.EventId == 190);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("cannot be reached: no answer. Logged-in sessions go on transferring; partners who logged in within the last 24 h (AccountStore:OfflineLoginHours), as this node last knew", warning.Message, StringComparison.Ordinal);
        Assert.Equal(2, _logs.Entries.Count(entry => entry.EventId == 191));
        var back = Assert.Single(_logs.Entries, entry => entry.EventId == 192);
        Assert.Equal(LogLevel.Information, back.Level);
        Assert.Equal("The account store (PostgreSQL db:5432/gatehouse) is back after 150 s; written back: 2 bans", back.Message);
        Assert.All(_logs.Entries, entry => Assert.Null(entry.Exception));
        Assert.Equal(30, probes);
        Assert.Equal(1, bans.Calls);
    }

    [Fact]
    public async Task What_could_not_be_written_back_is_said_and_tried_again_at_the_next_tick()
    {
        var reachability = new StoreReachability(_time);
        var usage = new CountedBacklog("usage changes (areas)", 3) { FailuresLeft = 1 };
        using var monitor = new StoreOutageMonitor(reachability, "store", [usage], _ => Task.CompletedTask, 0, _time, _logs.CreateLogger<StoreOutageMonitor>());

        reachability.ReportUnreachable(new TimeoutException("no answer"));
        Assert.Contains("every login gets 421", Assert.Single(_logs.Entries).Message, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromSeconds(12));
        reachability.ReportAnswered();
        await monitor.WriteBack;
        _time.Advance(StoreOutageMonitor.ProbeInterval);
        await monitor.TickAsync(CancellationToken.None);
        await monitor.TickAsync(CancellationToken.None);

        Assert.Equal(
            "The account store (store) is back after 12 s; nothing was waiting to be written; not yet, tried again in a few seconds: usage changes (areas) (still locked)",
            Assert.Single(_logs.Entries, entry => entry.EventId == 192).Message);
        Assert.Equal("The account store (store): written back: 3 usage changes (areas)", Assert.Single(_logs.Entries, entry => entry.EventId == 197).Message);
        Assert.Equal(2, usage.Calls);
    }

    private sealed class CountedBacklog(string what, int entries) : IStoreBacklog
    {
        public string What => what;

        public int Calls { get; private set; }

        public int FailuresLeft { get; set; }

        public Task<int> WriteBackAsync(CancellationToken cancellationToken)
        {
            Calls++;
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                return Task.FromException<int>(new InvalidOperationException("still locked"));
            }

            return Task.FromResult(entries);
        }
    }
}
