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

    private async Task<bool> Finish(SqlEventStore store, string node, EventDelivery delivery, bool delivered, int stepsDone, string outcome, DateTimeOffset? retryAt) =>
        (await store.FinishAsync(node, [DeliveryResult.Attempted(delivery, delivered, stepsDone, outcome, retryAt, _time.GetUtcNow())], _none)).Contains(delivery.Id);

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

        var claimed = await first.ClaimDueAsync("node1", Lease, 1, _none);
        Assert.Equal(["/orders/1.xml", "/orders/1.xml"], claimed.Select(delivery => delivery.Event.Path));
        Assert.Empty(await second.ClaimDueAsync("node2", Lease, 1, _none));

        var a = claimed.Single(delivery => delivery.Rule == "a");
        Assert.True(await Finish(first, "node1", a, delivered: true, 1, "200 OK", null));
        var next = Assert.Single(await second.ClaimDueAsync("node2", Lease, 1, _none));
        Assert.Equal(("a", "/orders/2.xml"), (next.Rule, next.Event.Path));

        // node1 dies holding b: after the lease another node takes it over, and node1's late answer is refused.
        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        var takenOver = Assert.Single(await second.ClaimDueAsync("node2", Lease, 1, _none), delivery => delivery.Rule == "b");
        Assert.Equal(2, takenOver.Attempts);
        Assert.False(await Finish(first, "node1", takenOver, delivered: true, 1, "late", null));
    }

    [Fact]
    public async Task Events_queued_together_keep_their_order_and_an_event_queued_again_is_not_delivered_twice()
    {
        var store = Node();
        await store.AddRuleAsync(Rule("a"), _none);
        await store.AddRuleAsync(Rule("b"), _none);
        var first = Upload("/orders/1.xml");
        var second = Upload("/orders/2.xml");
        await store.EnqueueAsync([new QueuedEvent(first, ["a", "b"]), new QueuedEvent(second, ["a"])], _none);

        // Queued again, as after a crash between the store's commit and the journal's emptying, with one new delivery.
        await store.EnqueueAsync([new QueuedEvent(first, ["a", "b"]), new QueuedEvent(second, ["a", "b"])], _none);

        var pending = await store.ListDeliveriesAsync(DeliveryState.Pending, 100, _none);
        Assert.Equal(
            [("a", "/orders/1.xml"), ("a", "/orders/2.xml"), ("b", "/orders/1.xml"), ("b", "/orders/2.xml")],
            pending.Select(delivery => (delivery.Rule, delivery.Event.Path)).Order());
        var claimed = await store.ClaimDueAsync("node1", Lease, 10, _none);
        Assert.Equal(["/orders/1.xml", "/orders/2.xml"], claimed.Where(delivery => delivery.Rule == "a").Select(delivery => delivery.Event.Path));
    }

    [Fact]
    public async Task A_batch_is_a_rule_s_oldest_deliveries_in_order_held_whole_and_what_was_not_attempted_goes_back_as_it_was()
    {
        var first = Node();
        var second = Node();
        await first.AddRuleAsync(Rule("a"), _none);
        await first.AddRuleAsync(Rule("b"), _none);
        for (var i = 1; i <= 5; i++)
        {
            await first.EnqueueAsync(Upload($"/orders/{i}.xml"), i == 1 ? ["a", "b"] : ["a"], _none);
        }

        var claimed = await first.ClaimDueAsync("node1", Lease, 3, _none);
        Assert.Equal(["/orders/1.xml", "/orders/2.xml", "/orders/3.xml"], claimed.Where(d => d.Rule == "a").OrderBy(d => d.Id).Select(d => d.Event.Path));
        Assert.Equal(["/orders/1.xml"], claimed.Where(d => d.Rule == "b").Select(d => d.Event.Path));

        // While node1 holds a's first three, a's fourth is not anyone's: it would be delivered before them.
        Assert.Empty(await second.ClaimDueAsync("node2", Lease, 3, _none));

        // a/1 delivered, a/2 failed for a retry, a/3 not attempted: one statement; b's claim untouched.
        var a = claimed.Where(d => d.Rule == "a").OrderBy(d => d.Id).ToArray();
        var now = _time.GetUtcNow();
        var recorded = await first.FinishAsync(
            "node1",
            [
                DeliveryResult.Attempted(a[0], delivered: true, 1, "200 OK", null, now),
                DeliveryResult.Attempted(a[1], delivered: false, 0, "503", now.AddSeconds(10), now),
                DeliveryResult.NotAttempted(a[2]),
            ],
            _none);
        Assert.Equal([a[0].Id, a[1].Id, a[2].Id], recorded.Order());
        Assert.Equal((DeliveryState.Delivered, "200 OK"), ((await first.FindDeliveryAsync(a[0].Id, _none))!.State, (await first.FindDeliveryAsync(a[0].Id, _none))!.Outcome));
        var notAttempted = (await first.FindDeliveryAsync(a[2].Id, _none))!;
        Assert.Equal((DeliveryState.Pending, 0, null), (notAttempted.State, notAttempted.Attempts, notAttempted.Outcome));

        // a's head is now a/2, waiting for its retry: nothing of a is due, not even a/3.
        Assert.Empty(await second.ClaimDueAsync("node2", Lease, 3, _none));
        _time.Advance(TimeSpan.FromSeconds(11));
        var again = (await second.ClaimDueAsync("node2", Lease, 3, _none)).OrderBy(d => d.Id).ToArray();
        Assert.Equal(["/orders/2.xml", "/orders/3.xml", "/orders/4.xml"], again.Select(d => d.Event.Path));
        Assert.Equal([2, 1, 1], again.Select(d => d.Attempts));
    }

    [Fact]
    public async Task A_rule_waiting_for_a_retry_behind_a_backlog_holds_back_none_of_it_and_no_other_rule()
    {
        var store = Node();
        await store.AddRuleAsync(Rule("down"), _none);
        await store.AddRuleAsync(Rule("up"), _none);
        for (var i = 1; i <= 100; i++)
        {
            await store.EnqueueAsync(Upload($"/orders/{i}.xml"), i % 25 == 0 ? ["down", "up"] : ["down"], _none);
        }

        var heads = await store.ClaimDueAsync("node1", Lease, 1, _none);
        await Finish(store, "node1", heads.Single(delivery => delivery.Rule == "down"), delivered: false, 0, "connection refused", _time.GetUtcNow().AddMinutes(5));
        await Finish(store, "node1", heads.Single(delivery => delivery.Rule == "up"), delivered: true, 1, "200 OK", null);

        var up = await store.ClaimDueAsync("node1", Lease, 64, _none);
        Assert.Equal(["/orders/50.xml", "/orders/75.xml", "/orders/100.xml"], up.OrderBy(d => d.Id).Select(d => d.Event.Path));
        Assert.All(up, delivery => Assert.Equal("up", delivery.Rule));

        // Once its retry is due, the rule's next batch starts at that head.
        _time.Advance(TimeSpan.FromMinutes(6));
        var down = (await store.ClaimDueAsync("node1", Lease, 64, _none)).Where(d => d.Rule == "down").OrderBy(d => d.Id);
        Assert.Equal(Enumerable.Range(1, 64).Select(i => $"/orders/{i}.xml"), down.Select(d => d.Event.Path));
    }

    [Fact]
    public async Task Nodes_racing_for_batches_while_events_arrive_never_hold_deliveries_of_one_rule_at_once()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => Node()).ToArray();
        await nodes[0].AddRuleAsync(Rule("a"), _none);
        var arriving = Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await nodes[0].EnqueueAsync(Upload($"/orders/{i}.xml"), ["a"], _none);
            }
        });
        var delivered = new List<long>();
        for (var round = 0; round < 10_000 && (!arriving.IsCompleted || delivered.Count < 40); round++)
        {
            var claims = await Task.WhenAll(nodes.Select((node, i) => node.ClaimDueAsync($"node{i}", Lease, 8, _none)));
            var holding = claims.Select((claim, i) => (Claim: claim, Node: $"node{i}")).Where(held => held.Claim.Count > 0).ToArray();
            Assert.True(holding.Length <= 1, "two nodes hold deliveries of the same rule");
            foreach (var (claim, node) in holding)
            {
                var now = _time.GetUtcNow();
                var recorded = await nodes[0].FinishAsync(node, [.. claim.Select(d => DeliveryResult.Attempted(d, delivered: true, 1, "200 OK", null, now))], _none);
                Assert.Equal(claim.Count, recorded.Count);
                delivered.AddRange(claim.Select(d => d.Id).Order());
            }
        }

        await arriving;
        Assert.Equal(delivered.Order(), delivered);
        Assert.Equal(40, delivered.Distinct().Count());
    }

    [Fact]
    public async Task Racing_nodes_claim_each_delivery_once()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => Node()).ToArray();
        await nodes[0].AddRuleAsync(Rule("a"), _none);
        await nodes[0].EnqueueAsync(Upload("/orders/1.xml"), ["a"], _none);

        var claims = await Task.WhenAll(nodes.Select((node, i) => node.ClaimDueAsync($"node{i}", Lease, 1, _none)));

        Assert.Single(claims.SelectMany(claim => claim));
    }

    [Fact]
    public async Task A_failed_attempt_waits_for_its_retry_time_then_a_delivery_given_up_is_kept_failed_until_retried()
    {
        var store = Node();
        await store.AddRuleAsync(Rule("a"), _none);
        await store.EnqueueAsync(Upload("/orders/1.xml"), ["a"], _none);

        var delivery = Assert.Single(await store.ClaimDueAsync("node1", Lease, 1, _none));
        Assert.True(await Finish(store, "node1", delivery, delivered: false, 0, "503", _time.GetUtcNow().AddSeconds(10)));
        Assert.Empty(await store.ClaimDueAsync("node1", Lease, 1, _none));
        _time.Advance(TimeSpan.FromSeconds(11));
        delivery = Assert.Single(await store.ClaimDueAsync("node1", Lease, 1, _none));
        Assert.True(await Finish(store, "node1", delivery, delivered: false, 0, "503 again", null));

        var failed = Assert.Single(await store.ListDeliveriesAsync(DeliveryState.Failed, 10, _none));
        Assert.Equal((2, "503 again"), (failed.Attempts, failed.Outcome));
        Assert.Empty(await store.ClaimDueAsync("node1", Lease, 1, _none));

        Assert.True(await store.RetryAsync(failed.Id, _none));
        Assert.Equal(DeliveryState.Pending, (await store.FindDeliveryAsync(failed.Id, _none))!.State);
        Assert.Single(await store.ClaimDueAsync("node1", Lease, 1, _none));
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
