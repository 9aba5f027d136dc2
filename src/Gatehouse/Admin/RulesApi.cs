using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Events;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>
/// /api/v1/rules and /api/v1/events: event rules and their deliveries, as <c>gatehouse rule</c> and <c>gatehouse
/// event</c> change them, through the same checks (a command action runs only an executable Events:Commands names).
/// </summary>
internal static class RulesApi
{
    private static readonly (string Name, RuleActionKind Kind)[] ActionNames =
        [("webhook", RuleActionKind.Webhook), ("command", RuleActionKind.Command), ("move-to", RuleActionKind.MoveTo), ("copy-to", RuleActionKind.CopyTo), ("delete", RuleActionKind.Delete), ("mail", RuleActionKind.Mail)];

    public static void Map(IEndpointRouteBuilder api)
    {
        var rules = api.MapGroup("/rules").WithTags("Rules");
        rules.MapGet("/", async (IEventStore store, CancellationToken cancellationToken) =>
                TypedResults.Ok((await store.ListRulesAsync(cancellationToken).ConfigureAwait(false)).Select(View).ToArray()))
            .WithSummary("Every event rule (webhook secrets are not shown, only whether a webhook is signed).");
        rules.MapGet("/{name}", async (string name, IEventStore store, CancellationToken cancellationToken) =>
                await store.FindRuleAsync(name, cancellationToken).ConfigureAwait(false) is { } rule ? AdminResults.Ok(View(rule)) : AdminResults.NotFound("rule", name))
            .Produces<RuleView>()
            .WithSummary("One event rule.");
        rules.MapPost("/", async (RuleBody body, RuleAdministration administration, HttpContext http) =>
                Build(body, body.Name) is not { } rule ? Invalid(body)
                : await administration.AddAsync(AdminActor.Of(http), rule, http.RequestAborted).ConfigureAwait(false) is { } refused ? AdminResults.Refused(refused)
                : AdminResults.Created($"/api/v1/rules/{rule.Name}", View(rule)))
            .Produces<RuleView>(StatusCodes.Status201Created)
            .Change("Add a rule: on an event, when the conditions match, run the actions in order (the same checks as gatehouse rule add).");
        rules.MapPut("/{name}", async (string name, RuleBody body, RuleAdministration administration, HttpContext http) =>
                Build(body, name) is not { } rule ? Invalid(body)
                : AdminResults.Done(await administration.ReplaceAsync(AdminActor.Of(http), rule, http.RequestAborted).ConfigureAwait(false)))
            .Change("Replace a rule with the one given (event, conditions, actions, enabled).");
        rules.MapDelete("/{name}", async (string name, RuleAdministration administration, HttpContext http) =>
                AdminResults.Done(await administration.RemoveAsync(AdminActor.Of(http), name, http.RequestAborted).ConfigureAwait(false)))
            .Change("Delete a rule; its queued events stay listed but are no longer delivered.");
        rules.MapPost("/{name}/test", async (string name, RuleTestBody? body, IEventStore store, RuleRunner runner, AuditTrail audit, TimeProvider time, HttpContext http) =>
            {
                if (await store.FindRuleAsync(name, http.RequestAborted).ConfigureAwait(false) is not { } rule)
                {
                    return AdminResults.NotFound("rule", name);
                }

                var result = await RuleTest.RunAsync(runner, rule, body?.User, body?.Path, time.GetUtcNow(), http.RequestAborted).ConfigureAwait(false);
                await audit.RecordAsync(
                    AdminActor.Of(http), "rule.test", name, null, string.Join("; ", result.Steps.Select(step => $"{step.Step}. {step.Outcome}")), http.RequestAborted).ConfigureAwait(false);
                var happened = result.Event;
                return AdminResults.Ok(new RuleTestView(
                    new EventView(happened.Id, happened.Kind, happened.Time, happened.User, happened.Client, happened.Path, happened.Size, happened.Reason),
                    result.Succeeded,
                    [.. result.Steps.Select(step => new RuleTestStepView(step.Step, step.Action, step.Outcome, step.Text))]));
            })
            .Produces<RuleTestView>()
            .Change("Fire a synthetic event at the rule, whatever its conditions, and answer each action's outcome in order (ok, failed, skipped), as gatehouse rule test does: webhooks, commands and mail really run; file actions are skipped; the actions after a failed one are not run. Body (optional): {\"user\": …, \"path\": …}.");

        var events = api.MapGroup("/events").WithTags("Events");
        events.MapGet("/", async (bool? failed, int? limit, IEventStore store, CancellationToken cancellationToken) =>
                limit is < 1 or > 1000
                    ? AdminResults.Refused(AdminRefusal.Invalid("limit", "limit must be between 1 and 1000."))
                    : AdminResults.Ok((await store.ListDeliveriesAsync(failed == true ? DeliveryState.Failed : null, limit ?? 50, cancellationToken).ConfigureAwait(false)).Select(View).ToArray()))
            .Produces<DeliveryView[]>()
            .ProducesValidationProblem()
            .WithSummary("Rule deliveries, newest first; ?failed=true only those given up after every attempt; ?limit= (default 50).");
        events.MapGet("/{id}", async (long id, IEventStore store, CancellationToken cancellationToken) =>
                await store.FindDeliveryAsync(id, cancellationToken).ConfigureAwait(false) is { } delivery ? AdminResults.Ok(View(delivery)) : AdminResults.NotFound("event delivery", id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Produces<DeliveryView>()
            .WithSummary("One delivery: the event, its attempts and the last outcome.");
        events.MapPost("/{id}/retry", async (long id, RuleAdministration administration, HttpContext http) =>
                AdminResults.Done(await administration.RetryAsync(AdminActor.Of(http), id, http.RequestAborted).ConfigureAwait(false)))
            .Change("Queue a delivered or failed event again for its rule, from the action that failed.");
    }

    /// <summary>The rule the body describes; null when its event or an action's kind is not one the server knows.</summary>
    private static EventRule? Build(RuleBody body, string? name)
    {
        if (!EventKinds.TryParse(body.On, out var kind) || (body.Actions ?? []).Any(action => !ActionNames.Any(entry => entry.Name == action.Kind)))
        {
            return null;
        }

        var c = body.Conditions;
        return new EventRule
        {
            Name = name ?? string.Empty,
            On = kind,
            Cron = body.Cron,
            Enabled = body.Enabled ?? true,
            Conditions = new RuleConditions
            {
                User = c?.User, Group = c?.Group, Path = c?.Path, Name = c?.Name, MinSize = c?.MinSize, MaxSize = c?.MaxSize, Network = c?.Network, OlderThanDays = c?.OlderThanDays,
            },
            Actions = [.. (body.Actions ?? []).Select(action => new RuleAction
            {
                Kind = ActionNames.First(entry => entry.Name == action.Kind).Kind,
                Target = action.Target ?? string.Empty,
                Arguments = action.Arguments ?? [],
                Secret = action.Secret,
                Subject = action.Subject,
                Body = action.Body,
                TimeoutSeconds = action.TimeoutSeconds ?? RuleAction.DefaultTimeoutSeconds,
            })],
        };
    }

    private static IResult Invalid(RuleBody body) =>
        EventKinds.TryParse(body.On, out _)
            ? AdminResults.Refused(AdminRefusal.Invalid("actions", $"Each action's kind is one of {string.Join(", ", ActionNames.Select(entry => entry.Name))}."))
            : AdminResults.Refused(AdminRefusal.Invalid("on", $"'{body.On}' is not an event; use one of {string.Join(", ", EventKinds.All)}."));

    private static RuleView View(EventRule rule) => new(
        rule.Name,
        rule.On.Name(),
        rule.Cron,
        rule.Enabled,
        new RuleConditionsView(rule.Conditions.User, rule.Conditions.Group, rule.Conditions.Path, rule.Conditions.Name, rule.Conditions.MinSize, rule.Conditions.MaxSize, rule.Conditions.Network, rule.Conditions.OlderThanDays),
        [.. rule.Actions.Select(action => new RuleActionView(
            ActionNames.First(entry => entry.Kind == action.Kind).Name, action.Target, action.Arguments, action.Subject, action.Body, action.TimeoutSeconds, action.Secret is not null))]);

    private static DeliveryView View(EventDelivery delivery) => new(
        delivery.Id,
        delivery.Rule,
        delivery.State.ToString().ToLowerInvariant(),
        delivery.Attempts,
        delivery.StepsDone,
        delivery.QueuedAt,
        delivery.NextAttemptAt,
        delivery.FinishedAt,
        delivery.Outcome,
        new EventView(delivery.Event.Id, delivery.Event.Kind, delivery.Event.Time, delivery.Event.User, delivery.Event.Client, delivery.Event.Path, delivery.Event.Size, delivery.Event.Reason));
}
