using System.Net;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Access;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Tests;

/// <summary>FTP logins in the audit trail: written in the background, never attempted while the store is away, written back in order afterwards.</summary>
public sealed class LoginAuditTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.7");

    [Fact]
    public async Task A_login_is_recorded_in_the_background_with_who_from_where_and_the_outcome()
    {
        var store = new MemoryAuditStore();
        var audit = new LoginAudit(new AuditTrail(store, TimeProvider.System), new StoreReachability(TimeProvider.System), TimeProvider.System, NullLogger.Instance);

        audit.Record("ftp.login.failed", "alice", Client, "wrong password");

        var entry = await store.WaitForAsync(1);
        Assert.Equal(("ftp:alice", "192.0.2.7", "ftp.login.failed", "alice", "wrong password"), (entry[0].Actor, entry[0].Origin, entry[0].Action, entry[0].Target, entry[0].After));
    }

    [Fact]
    public async Task While_the_store_is_away_nothing_is_attempted_and_the_records_are_written_back_in_order_with_their_times()
    {
        var (store, clock, reachability) = (new MemoryAuditStore(), new ManualClock(), new StoreReachability(TimeProvider.System));
        var audit = new LoginAudit(new AuditTrail(store, clock), reachability, clock, NullLogger.Instance);
        reachability.ReportUnreachable(new TimeoutException("no answer"));

        var first = clock.GetUtcNow();
        audit.Record("ftp.login", "alice", Client, "session=1");
        clock.Advance(TimeSpan.FromMinutes(3));
        audit.Record("ftp.login.unavailable", "bob", Client, "the account store cannot be reached");
        await Task.Delay(200);
        Assert.Equal(0, store.Calls);

        reachability.ReportAnswered();
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(2, await audit.WriteBackAsync(CancellationToken.None));
        Assert.Equal([("alice", first), ("bob", first.AddMinutes(3))], store.Entries.Select(entry => (entry.Target, entry.At)));
        Assert.Null((await new AuditTrail(store, clock).VerifyAsync(CancellationToken.None)).Problem);
    }

    [Fact]
    public async Task At_most_the_capacity_waits_during_an_outage()
    {
        var (store, reachability) = (new MemoryAuditStore(), new StoreReachability(TimeProvider.System));
        var audit = new LoginAudit(new AuditTrail(store, TimeProvider.System), reachability, TimeProvider.System, NullLogger.Instance);
        reachability.ReportUnreachable(new TimeoutException("no answer"));

        for (var i = 0; i < LoginAudit.Capacity + 50; i++)
        {
            audit.Record("ftp.login.failed", $"spray{i}", Client, "no such user");
        }

        reachability.ReportAnswered();
        Assert.Equal(LoginAudit.Capacity, await audit.WriteBackAsync(CancellationToken.None));
        Assert.Equal("spray0", store.Entries[0].Target);
    }

    [Fact]
    public async Task A_graceful_stop_writes_the_records_still_queued()
    {
        var store = new MemoryAuditStore(appendDelay: TimeSpan.FromMilliseconds(20));
        var audit = new LoginAudit(new AuditTrail(store, TimeProvider.System), new StoreReachability(TimeProvider.System), TimeProvider.System, NullLogger.Instance);
        for (var i = 0; i < 30; i++)
        {
            audit.Record("ftp.login.failed", $"user{i}", Client, "wrong password");
        }

        Assert.True(store.Entries.Count < 30, "the background writer should still be busy");
        await audit.StopAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"user{i}"), store.Entries.Select(entry => entry.Target));
    }

    /// <summary>An audit table in memory that counts the calls made to it; each append takes <c>appendDelay</c>.</summary>
    private sealed class MemoryAuditStore(TimeSpan appendDelay = default) : IAuditStore
    {
        private readonly Lock _lock = new();
        private readonly List<AuditEntry> _entries = [];
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public IReadOnlyList<AuditEntry> Entries
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries];
                }
            }
        }

        public Task<AuditEntry?> LastAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            lock (_lock)
            {
                return Task.FromResult(_entries.LastOrDefault());
            }
        }

        public async Task<bool> TryAppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (appendDelay > TimeSpan.Zero)
            {
                await Task.Delay(appendDelay, cancellationToken);
            }

            lock (_lock)
            {
                if (entry.Sequence != _entries.Count + 1)
                {
                    return false;
                }

                _entries.Add(entry);
                return true;
            }
        }

        public Task<IReadOnlyList<AuditEntry>> ReadAsync(long after, int limit, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return Task.FromResult<IReadOnlyList<AuditEntry>>([.. _entries.Where(entry => entry.Sequence > after).Take(limit)]);
            }
        }

        public Task<long> CountAsync(IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return Task.FromResult((long)_entries.Count(entry => actions.Contains(entry.Action) && entry.At >= since));
            }
        }

        public async Task<IReadOnlyList<AuditEntry>> WaitForAsync(int count)
        {
            for (var attempt = 0; attempt < 100 && Entries.Count < count; attempt++)
            {
                await Task.Delay(50);
            }

            Assert.Equal(count, Entries.Count);
            return Entries;
        }
    }
}
