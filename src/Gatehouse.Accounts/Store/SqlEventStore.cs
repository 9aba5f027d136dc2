using System.Data.Common;
using System.Text;
using System.Text.Json;
using Gatehouse.Accounts.Events;

namespace Gatehouse.Accounts.Store;

/// <summary>
/// <see cref="IEventStore"/> in the account database. A claim is one UPDATE of the first deliveries of each rule
/// whose queue head is due and held by no live lease; it runs one at a time across nodes (SQLite has one writer at a
/// time, PostgreSQL takes a lock first), so two nodes never hold the same delivery nor deliveries of the same rule.
/// The claim finds each rule's head and its batch's last id through the queue index and reads only the batch: its cost
/// does not grow with a backlog (a receiver down for hours), which matters because it holds the store's write lock
/// that every upload's 226 waits for. Materialized, or SQLite's planner scans every pending delivery instead.
/// </summary>
public sealed class SqlEventStore(AccountDatabase database, TimeProvider time) : IEventStore
{
    /// <summary>Names the claim's lock in PostgreSQL ("GhEvents").</summary>
    private const long ClaimLockKey = 0x4768_4576_656E_7473;

    private const string DeliveryColumns = "id, rule_name, event, state, attempts, steps_done, queued_at, next_attempt_at, claimed_by, finished_at, outcome";

    public async Task<IReadOnlyList<EventRule>> ListRulesAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT name, event, definition, enabled FROM event_rules ORDER BY name", ReadRule, cancellationToken).ConfigureAwait(false);

    public async Task<EventRule?> FindRuleAsync(string name, CancellationToken cancellationToken) =>
        (await database.QueryAsync("SELECT name, event, definition, enabled FROM event_rules WHERE name = @name", ReadRule, cancellationToken, ("@name", name)).ConfigureAwait(false))
        .SingleOrDefault();

    public async Task<bool> AddRuleAsync(EventRule rule, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO event_rules (name, event, definition, enabled, created_at) VALUES (@name, @event, @definition, @enabled, @now) ON CONFLICT (name) DO NOTHING",
            cancellationToken,
            [.. RuleParameters(rule), ("@now", AccountDatabase.Format(time.GetUtcNow()))]).ConfigureAwait(false) == 1;

    public async Task<bool> ReplaceRuleAsync(EventRule rule, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE event_rules SET event = @event, definition = @definition, enabled = @enabled WHERE name = @name",
            cancellationToken,
            RuleParameters(rule)).ConfigureAwait(false) == 1;

    public async Task<bool> RemoveRuleAsync(string name, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM event_rules WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) == 1;

    public Task EnqueueAsync(ServerEvent happened, IReadOnlyCollection<string> rules, CancellationToken cancellationToken) =>
        EnqueueAsync([new QueuedEvent(happened, rules)], cancellationToken);

    public async Task EnqueueAsync(IReadOnlyList<QueuedEvent> events, CancellationToken cancellationToken)
    {
        // One statement: every delivery is queued, or none is. A delivery of an event to a rule that is queued already
        // (the same event moved again from a node's journal after a crash) is left out.
        var sql = new StringBuilder("INSERT INTO event_deliveries (event_id, rule_name, event, state, attempts, queued_at, next_attempt_at) VALUES ");
        var parameters = new List<(string, object?)> { ("@now", AccountDatabase.Format(time.GetUtcNow())) };
        var rows = 0;
        for (var index = 0; index < events.Count; index++)
        {
            var (happened, rules) = events[index];
            parameters.Add(($"@id{index}", happened.Id));
            parameters.Add(($"@event{index}", EventJson.Write(happened)));
            foreach (var rule in rules)
            {
                sql.Append(rows == 0 ? string.Empty : ", ").Append($"(@id{index}, @rule{rows}, @event{index}, 'pending', 0, @now, @now)");
                parameters.Add(($"@rule{rows}", rule));
                rows++;
            }
        }

        if (rows > 0)
        {
            sql.Append(" ON CONFLICT (event_id, rule_name) DO NOTHING");
            await database.ExecuteAsync(sql.ToString(), cancellationToken, [.. parameters]).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<EventDelivery>> ClaimDueAsync(string node, TimeSpan lease, int perRule, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.QueryExclusiveAsync(
            ClaimLockKey,
            $"""
            WITH heads AS MATERIALIZED (
                SELECT rules.name,
                    (SELECT queued.id FROM event_deliveries queued WHERE queued.state = 'pending' AND queued.rule_name = rules.name ORDER BY queued.id LIMIT 1) AS head,
                    COALESCE(
                        (SELECT queued.id FROM event_deliveries queued WHERE queued.state = 'pending' AND queued.rule_name = rules.name ORDER BY queued.id LIMIT 1 OFFSET @beyondHead),
                        {long.MaxValue}) AS upto
                FROM event_rules rules WHERE rules.enabled = 1),
            ready AS MATERIALIZED (
                SELECT heads.name, heads.head, heads.upto FROM heads JOIN event_deliveries head_row ON head_row.id = heads.head
                WHERE head_row.next_attempt_at <= @now AND (head_row.lease_until IS NULL OR head_row.lease_until < @now))
            UPDATE event_deliveries SET claimed_by = @node, lease_until = @until, attempts = attempts + 1
            FROM ready
            WHERE event_deliveries.state = 'pending' AND event_deliveries.rule_name = ready.name
              AND event_deliveries.id BETWEEN ready.head AND ready.upto
              AND (event_deliveries.lease_until IS NULL OR event_deliveries.lease_until < @now)
            RETURNING {DeliveryColumns}
            """,
            ReadDelivery,
            cancellationToken,
            ("@node", node),
            ("@until", AccountDatabase.Format(now + lease)),
            ("@now", AccountDatabase.Format(now)),
            ("@beyondHead", perRule - 1)).ConfigureAwait(false);
    }

    public async Task<IReadOnlySet<long>> FinishAsync(string node, IReadOnlyList<DeliveryResult> results, CancellationToken cancellationToken)
    {
        if (results.Count == 0)
        {
            return new HashSet<long>();
        }

        // One UPDATE for the whole batch, each column chosen by id: one round trip and one commit however many there are.
        var parameters = new List<(string, object?)> { ("@node", node) };
        var ids = new StringBuilder();
        var columns = new Dictionary<string, StringBuilder>
        {
            ["state"] = new(), ["attempts"] = new(), ["steps_done"] = new(), ["outcome"] = new(), ["next_attempt_at"] = new(), ["finished_at"] = new(),
        };
        for (var index = 0; index < results.Count; index++)
        {
            var result = results[index];
            ids.Append(index == 0 ? string.Empty : ", ").Append($"@id{index}");
            parameters.Add(($"@id{index}", result.Id));
            foreach (var (column, value) in new (string, object?)[]
            {
                ("state", StateName(result.State)),
                ("attempts", result.Attempts),
                ("steps_done", result.StepsDone),
                ("outcome", result.Outcome),
                ("next_attempt_at", AccountDatabase.Format(result.NextAttemptAt)),
                ("finished_at", result.FinishedAt is { } finished ? AccountDatabase.Format(finished) : null),
            })
            {
                columns[column].Append($" WHEN @id{index} THEN @{column}{index}");
                parameters.Add(($"@{column}{index}", value));
            }
        }

        var assignments = string.Join(", ", columns.Select(column => $"{column.Key} = CASE id{column.Value} END"));
        var recorded = await database.QueryWriteAsync(
            $"UPDATE event_deliveries SET {assignments}, lease_until = NULL WHERE id IN ({ids}) AND claimed_by = @node AND state = 'pending' RETURNING id",
            reader => reader.GetInt64(0),
            cancellationToken,
            [.. parameters]).ConfigureAwait(false);
        return recorded.ToHashSet();
    }

    public async Task<IReadOnlyList<EventDelivery>> ListDeliveriesAsync(DeliveryState? state, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            $"SELECT {DeliveryColumns} FROM event_deliveries {(state is null ? string.Empty : "WHERE state = @state")} ORDER BY id DESC LIMIT @limit",
            ReadDelivery,
            cancellationToken,
            ("@state", state is { } wanted ? StateName(wanted) : string.Empty),
            ("@limit", limit)).ConfigureAwait(false);

    public async Task<EventDelivery?> FindDeliveryAsync(long id, CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {DeliveryColumns} FROM event_deliveries WHERE id = @id", ReadDelivery, cancellationToken, ("@id", id)).ConfigureAwait(false))
        .SingleOrDefault();

    public async Task<bool> RetryAsync(long id, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            UPDATE event_deliveries SET state = 'pending', attempts = 0, next_attempt_at = @now, claimed_by = NULL, lease_until = NULL, finished_at = NULL
            WHERE id = @id AND state <> 'pending'
            """,
            cancellationToken,
            ("@id", id),
            ("@now", AccountDatabase.Format(time.GetUtcNow()))).ConfigureAwait(false) == 1;

    public async Task<bool> ClaimOccurrenceAsync(string rule, DateTimeOffset occurrence, string node, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO event_schedule_runs (rule_name, occurrence, node) VALUES (@rule, @occurrence, @node) ON CONFLICT (rule_name, occurrence) DO NOTHING",
            cancellationToken,
            ("@rule", rule),
            ("@occurrence", AccountDatabase.Format(occurrence)),
            ("@node", node)).ConfigureAwait(false) == 1;

    public Task<int> PruneDeliveredAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            DELETE FROM event_deliveries WHERE state = 'delivered' AND finished_at < @before;
            DELETE FROM event_schedule_runs WHERE occurrence < @before;
            """,
            cancellationToken,
            ("@before", AccountDatabase.Format(before)));

    private static (string, object?)[] RuleParameters(EventRule rule) =>
    [
        ("@name", rule.Name),
        ("@event", rule.On.Name()),
        ("@definition", JsonSerializer.Serialize(new RuleDefinition { Conditions = rule.Conditions, Actions = rule.Actions, Cron = rule.Cron }, EventJson.Default.RuleDefinition)),
        ("@enabled", rule.Enabled ? 1 : 0),
    ];

    private static EventRule ReadRule(DbDataReader reader)
    {
        var definition = JsonSerializer.Deserialize(reader.GetString(2), EventJson.Default.RuleDefinition) ?? new RuleDefinition();
        return new EventRule
        {
            Name = reader.GetString(0),
            On = EventKinds.TryParse(reader.GetString(1), out var kind) ? kind : throw new InvalidDataException($"Rule '{reader.GetString(0)}' has an unknown event '{reader.GetString(1)}'."),
            Conditions = definition.Conditions,
            Actions = definition.Actions,
            Enabled = reader.GetInt32(3) != 0,
            Cron = definition.Cron,
        };
    }

    private static EventDelivery ReadDelivery(DbDataReader reader) =>
        new(
            reader.GetInt64(0),
            reader.GetString(1),
            EventJson.ReadEvent(reader.GetString(2)),
            Enum.Parse<DeliveryState>(reader.GetString(3), ignoreCase: true),
            reader.GetInt32(4),
            reader.GetInt32(5),
            AccountDatabase.Parse(reader.GetString(6)),
            AccountDatabase.Parse(reader.GetString(7)),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? null : AccountDatabase.Parse(reader.GetString(9)),
            reader.IsDBNull(10) ? null : reader.GetString(10));

    private static string StateName(DeliveryState state) => state.ToString().ToLowerInvariant();
}
