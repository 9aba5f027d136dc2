using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Storage.Quotas;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteStoreReadingsTests() : StoreReadingsTests(new SqliteTestDatabase());

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreReadingsTests(PostgresServer server) : StoreReadingsTests(new PostgresTestDatabase(server));

/// <summary>The figures the metrics read from the store: usage by home and in total, and the event queue's pending and failed deliveries.</summary>
public abstract class StoreReadingsTests(TestDatabase database) : IDisposable
{
    private readonly CancellationToken _none = CancellationToken.None;

    public void Dispose()
    {
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Usage_is_read_per_home_or_in_total_and_deliveries_are_counted_by_state()
    {
        var opened = database.Open();
        var readings = new SqlStoreReadings(opened);
        var empty = await readings.ReadAsync(perUser: false, _none);
        Assert.Empty(empty.HomeBytes);
        Assert.Equal((0L, 0L, 0L), (empty.FolderBytes, empty.EventsPending, empty.EventsFailed));

        var usage = new SqlUsageStore(opened);
        await usage.SetAsync("user:alice", new StorageUsage(1_000, 2), _none);
        await usage.SetAsync("user:bob", new StorageUsage(5_000_000_000, 3), _none);
        await usage.SetAsync("folder:shared", new StorageUsage(700, 1), _none);
        var time = new ManualTime();
        var events = new SqlEventStore(opened, time);
        Assert.True(await events.AddRuleAsync(new EventRule { Name = "orders", On = EventKind.Upload }, _none));
        foreach (var id in new[] { "e1", "e2" })
        {
            await events.EnqueueAsync(new ServerEvent { Id = id, Kind = "upload", Time = time.GetUtcNow(), Node = "n1", User = "alice", Path = "/a", Size = 1 }, ["orders"], _none);
        }

        var claimed = Assert.Single(await events.ClaimDueAsync("n1", TimeSpan.FromMinutes(1), 1, _none));
        Assert.Contains(claimed.Id, await events.FinishAsync("n1", [DeliveryResult.Attempted(claimed, delivered: false, 0, "gave up", retryAt: null, DateTimeOffset.UtcNow)], _none));

        var total = await readings.ReadAsync(perUser: false, _none);
        Assert.Equal(5_000_001_000, Assert.Single(total.HomeBytes).Bytes);
        Assert.Null(total.HomeBytes[0].User);
        Assert.Equal(700, total.FolderBytes);
        Assert.Equal(1, total.EventsPending);
        Assert.Equal(1, total.EventsFailed);

        var perUser = await readings.ReadAsync(perUser: true, _none);
        Assert.Equal([("alice", 1_000L), ("bob", 5_000_000_000L)], perUser.HomeBytes.OrderBy(home => home.User, StringComparer.Ordinal));
        Assert.Equal(700, perUser.FolderBytes);
    }
}
