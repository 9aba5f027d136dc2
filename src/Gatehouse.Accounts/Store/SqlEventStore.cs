using System.Data.Common;
using System.Text;
using System.Text.Json;
using Gatehouse.Accounts.Events;

namespace Gatehouse.Accounts.Store;

/// <summary>
/// <see cref="IEventStore"/> in the account database. A claim is one UPDATE of the due queue heads that also checks
/// that no live lease holds them: PostgreSQL re-checks that condition on a row another node has just claimed, and
/// SQLite has one writer at a time, so two nodes never hold the same delivery.
/// </summary>
public sealed class SqlEventStore(AccountDatabase database, TimeProvider time) : IEventStore
{
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

    public async Task EnqueueAsync(ServerEvent happened, IReadOnlyCollection<string> rules, CancellationToken cancellationToken)
    {
        if (rules.Count == 0)
        {
            return;
        }

        // One statement: every rule's delivery is queued, or none is.
        var sql = new StringBuilder("INSERT INTO event_deliveries (rule_name, event, state, attempts, queued_at, next_attempt_at) VALUES ");
        var parameters = new List<(string, object?)> { ("@event", EventJson.Write(happened)), ("@now", AccountDatabase.Format(time.GetUtcNow())) };
        var index = 0;
        foreach (var rule in rules)
        {
            sql.Append(index == 0 ? string.Empty : ", ").Append($"(@rule{index}, @event, 'pending', 0, @now, @now)");
            parameters.Add(($"@rule{index}", rule));
            index++;
        }

        await database.ExecuteAsync(sql.ToString(), cancellationToken, [.. parameters]).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<EventDelivery>> ClaimDueAsync(string node, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.QueryAsync(
            $"""
            UPDATE event_deliveries SET claimed_by = @node, lease_until = @until, attempts = attempts + 1
            WHERE id IN (SELECT MIN(id) FROM event_deliveries WHERE state = 'pending' AND rule_name IN (SELECT name FROM event_rules WHERE enabled = 1) GROUP BY rule_name)
              AND state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until < @now)
            RETURNING {DeliveryColumns}
            """,
            ReadDelivery,
            cancellationToken,
            ("@node", node),
            ("@until", AccountDatabase.Format(now + lease)),
            ("@now", AccountDatabase.Format(now))).ConfigureAwait(false);
    }

    public async Task<bool> FinishAsync(long id, string node, bool delivered, int stepsDone, string outcome, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var state = delivered ? DeliveryState.Delivered : retryAt is null ? DeliveryState.Failed : DeliveryState.Pending;
        return await database.ExecuteAsync(
            """
            UPDATE event_deliveries SET state = @state, steps_done = @steps, outcome = @outcome, lease_until = NULL, next_attempt_at = @next, finished_at = @finished
            WHERE id = @id AND claimed_by = @node AND state = 'pending'
            """,
            cancellationToken,
            ("@id", id),
            ("@node", node),
            ("@state", StateName(state)),
            ("@steps", stepsDone),
            ("@outcome", outcome),
            ("@next", AccountDatabase.Format(retryAt ?? now)),
            ("@finished", state == DeliveryState.Pending ? null : AccountDatabase.Format(now))).ConfigureAwait(false) == 1;
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
