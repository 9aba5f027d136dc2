using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteEventStoreTests() : EventStoreTests(new SqliteTestDatabase());

[Collection(PostgresCollection.Name)]
public sealed class PostgresEventStoreTests(PostgresServer server) : EventStoreTests(new PostgresTestDatabase(server));

/// <summary>Two stores on one database are two nodes sharing the queue.</summary>
public abstract class EventStoreTests(TestDatabase database) : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly ManualTime _time = new();
    private readonly CancellationToken _none = CancellationToken.None;

    public void Dispose()
    {
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    private SqlEventStore Node() => new(database.Open(), _time);

    private static EventRule Rule(string name) => new()
    {
        Name = name,
        On = EventKind.Upload,
        Conditions = new RuleConditions { Path = "/orders/*.xml", MinSize = 1 },
        Actions = [new RuleAction { Kind = RuleActionKind.Webhook, Target = "https://hooks.example/in", Secret = "s3cret", TimeoutSeconds = 5 }],
    };

    private ServerEvent Upload(string path) => new() { Id = Guid.NewGuid().ToString("N"), Kind = "upload", Time = _time.GetUtcNow(), Node = "n1", User = "alice", Path = path, Size = 10 };

    [Fact]
    public async Task Rules_are_stored_with_their_conditions_and_actions_and_can_be_replaced_and_removed()
    {
        var store = Node();
        Assert.True(await store.AddRuleAsync(Rule("orders"), _none));
        Assert.False(await store.AddRuleAsync(Rule("orders"), _none));

        var found = await store.FindRuleAsync("orders", _none);
        Assert.NotNull(found);
        Assert.Equal("/orders/*.xml", found.Conditions.Path);
        Assert.Equal("s3cret", Assert.Single(found.Actions).Secret);

        Assert.True(await store.ReplaceRuleAsync(new EventRule { Name = "orders", On = EventKind.Delete, Enabled = false }, _none));
        Assert.Equal(EventKind.Delete, (await store.FindRuleAsync("orders", _none))!.On);
        Assert.True(await store.RemoveRuleAsync("orders", _none));
        Assert.Empty(await store.ListRulesAsync(_none));
    }

    [Fact]
    public async Task Each_rule_gets_its_events_in_order_and_a_claimed_delivery_is_held_by_one_node_until_its_lease_ends()
    {
        var first = Node();
        var second = Node();
        await first.AddRuleAsync(Rule("a"), _none);
        await first.AddRuleAsync(Rule("b"), _none);
        await first.EnqueueAsync(Upload("/orders/1.xml"), ["a", "b"], _none);
        await first.EnqueueAsync(Upload("/orders/2.xml"), ["a"], _none);

        var claimed = await first.ClaimDueAsync("node1", Lease, _none);
        Assert.Equal(["/orders/1.xml", "/orders/1.xml"], claimed.Select(delivery => delivery.Event.Path));
        Assert.Empty(await second.ClaimDueAsync("node2", Lease, _none));

        var a = claimed.Single(delivery => delivery.Rule == "a");
        Assert.True(await first.FinishAsync(a.Id, "node1", delivered: true, 1, "200 OK", null, _none));
        var next = Assert.Single(await second.ClaimDueAsync("node2", Lease, _none));
        Assert.Equal(("a", "/orders/2.xml"), (next.Rule, next.Event.Path));

        // node1 dies holding b: after the lease another node takes it over, and node1's late answer is refused.
        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        var takenOver = Assert.Single(await second.ClaimDueAsync("node2", Lease, _none), delivery => delivery.Rule == "b");
        Assert.Equal(2, takenOver.Attempts);
        Assert.False(await first.FinishAsync(takenOver.Id, "node1", delivered: true, 1, "late", null, _none));
    }

    [Fact]
    public async Task Racing_nodes_claim_each_delivery_once()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => Node()).ToArray();
        await nodes[0].AddRuleAsync(Rule("a"), _none);
        await nodes[0].EnqueueAsync(Upload("/orders/1.xml"), ["a"], _none);

        var claims = await Task.WhenAll(nodes.Select((node, i) => node.ClaimDueAsync($"node{i}", Lease, _none)));

        Assert.Single(claims.SelectMany(claim => claim));
    }

    [Fact]
    public async Task A_failed_attempt_waits_for_its_retry_time_then_a_delivery_given_up_is_kept_failed_until_retried()
    {
        var store = Node();
        await store.AddRuleAsync(Rule("a"), _none);
        await store.EnqueueAsync(Upload("/orders/1.xml"), ["a"], _none);

        var delivery = Assert.Single(await store.ClaimDueAsync("node1", Lease, _none));
        Assert.True(await store.FinishAsync(delivery.Id, "node1", delivered: false, 0, "503", _time.GetUtcNow().AddSeconds(10), _none));
        Assert.Empty(await store.ClaimDueAsync("node1", Lease, _none));
        _time.Advance(TimeSpan.FromSeconds(11));
        delivery = Assert.Single(await store.ClaimDueAsync("node1", Lease, _none));
        Assert.True(await store.FinishAsync(delivery.Id, "node1", delivered: false, 0, "503 again", null, _none));

        var failed = Assert.Single(await store.ListDeliveriesAsync(DeliveryState.Failed, 10, _none));
        Assert.Equal((2, "503 again"), (failed.Attempts, failed.Outcome));
        Assert.Empty(await store.ClaimDueAsync("node1", Lease, _none));

        Assert.True(await store.RetryAsync(failed.Id, _none));
        Assert.Equal(DeliveryState.Pending, (await store.FindDeliveryAsync(failed.Id, _none))!.State);
        Assert.Single(await store.ClaimDueAsync("node1", Lease, _none));
    }

    [Fact]
    public async Task One_node_takes_each_occurrence_of_a_schedule()
    {
        var occurrence = _time.GetUtcNow();
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Node().ClaimOccurrenceAsync("archive", occurrence, $"node{i}", _none)));

        Assert.Single(claims, claimed => claimed);
        Assert.True(await Node().ClaimOccurrenceAsync("archive", occurrence.AddMinutes(1), "node1", _none));
    }
}
