using System.Net.Sockets;
using Gatehouse.Accounts.Store;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gatehouse.Accounts.Tests;

public sealed class StoreReachabilityTests
{
    [Fact]
    public void A_refused_or_timed_out_connection_and_a_restarting_server_are_outages()
    {
        Assert.True(StoreReachability.IsOutage(new NpgsqlException("connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(StoreReachability.IsOutage(new NpgsqlException("read", new TimeoutException())));
        Assert.True(StoreReachability.IsOutage(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")));
        Assert.True(StoreReachability.IsOutage(new PostgresException("sorry, too many clients already", "FATAL", "FATAL", "53300")));
        Assert.True(StoreReachability.IsOutage(new StoreUnavailableException("PostgreSQL", new TimeoutException())));
    }

    [Fact]
    public void A_wrong_statement_is_not_an_outage()
    {
        Assert.False(StoreReachability.IsOutage(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
        Assert.False(StoreReachability.IsOutage(new SqliteException("database is locked", 5)));
        Assert.False(StoreReachability.IsOutage(new InvalidOperationException("bug")));
    }

    [Fact]
    public void Each_outage_is_announced_once_when_it_begins_and_once_when_it_ends()
    {
        var time = new ManualTime();
        var reachability = new StoreReachability(time);
        var lost = new List<string>();
        var restored = new List<TimeSpan>();
        reachability.Lost += lost.Add;
        reachability.Restored += restored.Add;

        reachability.ReportAnswered();
        reachability.ReportUnreachable(new TimeoutException("first"));
        var since = reachability.UnreachableSince;
        time.Advance(TimeSpan.FromSeconds(10));
        reachability.ReportUnreachable(new TimeoutException("second"));
        Assert.False(reachability.IsReachable);
        Assert.Equal(since, reachability.UnreachableSince);
        Assert.Equal("first", reachability.Failure);
        time.Advance(TimeSpan.FromSeconds(20));
        reachability.ReportAnswered();
        reachability.ReportAnswered();

        Assert.Equal(["first"], lost);
        Assert.Equal([TimeSpan.FromSeconds(30)], restored);
        Assert.True(reachability.IsReachable);
        Assert.Null(reachability.UnreachableSince);
    }

    [Fact]
    public async Task A_store_that_answers_with_an_error_stays_reachable()
    {
        using var sqlite = new SqliteTestDatabase();
        var database = sqlite.Open();
        await database.ScalarAsync("SELECT 1", CancellationToken.None);
        await Assert.ThrowsAsync<SqliteException>(() => database.ScalarAsync("SELECT nonsense FROM nowhere", CancellationToken.None));
        Assert.True(database.Reachability.IsReachable);
    }
}
