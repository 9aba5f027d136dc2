using Gatehouse.Accounts;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Event rules and deliveries as <c>gatehouse rule|event</c> and the admin API change them: the same checks (only the
/// executables Events:Commands names can be run, only the hosts Events:WebhookAllowedHosts names receive webhooks),
/// each change recorded in the audit trail with the rule before and after (a webhook's secret never: only whether
/// it is signed).
/// </summary>
public sealed class RuleAdministration(IEventStore store, EventsOptions events, AuditTrail audit)
{
    public async Task<AdminRefusal?> AddAsync(AuditActor actor, EventRule rule, CancellationToken cancellationToken)
    {
        if (!AccountNames.IsValid(rule.Name, out var error))
        {
            return AdminRefusal.Invalid("name", error.Replace("user name", "rule name", StringComparison.Ordinal));
        }

        if (Check(rule, events) is { } refused)
        {
            return refused;
        }

        if (!await store.AddRuleAsync(rule, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.Conflict("name", $"Rule '{rule.Name}' already exists; change it with 'gatehouse rule set {rule.Name}'.");
        }

        await audit.RecordAsync(actor, "rule.add", rule.Name, null, Describe(rule), cancellationToken).ConfigureAwait(false);
        return null;
    }

    public async Task<AdminRefusal?> ReplaceAsync(AuditActor actor, EventRule rule, CancellationToken cancellationToken)
    {
        if (await store.FindRuleAsync(rule.Name, cancellationToken).ConfigureAwait(false) is not { } existing)
        {
            return AdminRefusal.NotFound("name", $"No rule '{rule.Name}'.");
        }

        if (Check(rule, events) is { } refused)
        {
            return refused;
        }

        await store.ReplaceRuleAsync(rule, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(actor, "rule.set", rule.Name, Describe(existing), Describe(rule), cancellationToken).ConfigureAwait(false);
        return null;
    }

    public async Task<AdminRefusal?> RemoveAsync(AuditActor actor, string name, CancellationToken cancellationToken)
    {
        var existing = await store.FindRuleAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is null || !await store.RemoveRuleAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.NotFound("name", $"No rule '{name}'.");
        }

        await audit.RecordAsync(actor, "rule.remove", name, Describe(existing), null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Queues a delivered or failed event again for its rule, from the action that failed.</summary>
    public async Task<AdminRefusal?> RetryAsync(AuditActor actor, long delivery, CancellationToken cancellationToken)
    {
        var existing = await store.FindDeliveryAsync(delivery, cancellationToken).ConfigureAwait(false);
        if (existing is null || !await store.RetryAsync(delivery, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.NotFound("id", $"No finished event delivery {delivery} (a pending one is retried on its own).");
        }

        await audit.RecordAsync(actor, "event.retry", $"delivery {delivery}", $"rule={existing.Rule} state={existing.State.ToString().ToLowerInvariant()}", "state=pending", cancellationToken)
            .ConfigureAwait(false);
        return null;
    }

    /// <summary>A rule in one line for the audit trail: event, conditions, actions (a webhook says signed or unsigned, never its secret).</summary>
    public static string Describe(EventRule rule)
    {
        var c = rule.Conditions;
        var conditions = new[]
        {
            c.User is null ? null : $"user={c.User}",
            c.Group is null ? null : $"group={c.Group}",
            c.Path is null ? null : $"path={c.Path}",
            c.Name is null ? null : $"name={c.Name}",
            c.MinSize is null ? null : $"min-size={c.MinSize}",
            c.MaxSize is null ? null : $"max-size={c.MaxSize}",
            c.Network is null ? null : $"network={c.Network}",
            c.OlderThanDays is null ? null : $"older-than-days={c.OlderThanDays}",
            rule.Cron is null ? null : $"cron={rule.Cron}",
        }.OfType<string>();
        return $"on={rule.On.Name()} enabled={rule.Enabled} {string.Join(' ', conditions)} actions=[{string.Join("; ", rule.Actions)}]";
    }

    /// <summary>What the server would refuse at delivery, refused now with the fix; null when the rule can run.</summary>
    public static AdminRefusal? Check(EventRule rule, EventsOptions events)
    {
            if (rule.Actions.Count == 0)
            {
                return AdminRefusal.Invalid("actions", "A rule needs at least one action: --webhook, --command, --mail, --move-to, --copy-to or --delete.");
            }

            if (RuleMatcher.Create(rule, out var conditionError) is null)
            {
                return AdminRefusal.Invalid("conditions.network", $"--network: {conditionError}.");
            }

            var destinations = new WebhookDestinations(events.WebhookAllowedHosts);
            for (var index = 0; index < rule.Actions.Count; index++)
            {
                var action = rule.Actions[index];
            if (action.TimeoutSeconds is < 1 or > 86400)
            {
                return AdminRefusal.Invalid($"actions[{index}].timeoutSeconds", $"--timeout {action.TimeoutSeconds}: use 1 to 86400 seconds.");
            }

                var problem = action.Kind switch
                {
                    RuleActionKind.Webhook => destinations.Refusal(action.Target),
                    RuleActionKind.Mail when string.IsNullOrWhiteSpace(events.SmtpHost) => "mail needs a relay: set Events:SmtpHost and Events:SmtpFrom in the configuration file",
                    RuleActionKind.Mail when action.Target.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is var recipients
                        && (recipients.Length == 0 || !recipients.All(recipient => MimeKit.MailboxAddress.TryParse(recipient, out _))) => $"--mail '{action.Target}' is not a list of mail addresses",
                    RuleActionKind.Command when !events.Commands.Contains(action.Target, StringComparer.Ordinal) =>
                        $"{action.Target} is not in Events:Commands; only executables the configuration file names can be run",
                    RuleActionKind.MoveTo or RuleActionKind.CopyTo or RuleActionKind.Delete
                        when rule.On is not (EventKind.Upload or EventKind.Download) && !(rule.On == EventKind.Schedule && rule.Conditions.Path is not null) =>
                        "file actions (--move-to, --copy-to, --delete) need a file: use them with --on upload, --on download, or --on schedule with --path",
                    RuleActionKind.MoveTo or RuleActionKind.CopyTo when !Gatehouse.Storage.VirtualPath.TryResolve(Gatehouse.Storage.VirtualPath.Root, action.Target, out _, out var pathError) => pathError,
                    _ => null,
                };
                if (problem is not null)
                {
                    return AdminRefusal.Invalid($"actions[{index}]", problem.EndsWith('.') ? problem : problem + ".");
                }
            }

            if ((rule.On == EventKind.Schedule) != (rule.Cron is not null))
            {
                return AdminRefusal.Invalid("cron", rule.On == EventKind.Schedule ? "--on schedule needs --cron, for example --cron '0 3 * * *' (03:00 UTC daily)." : "--cron belongs to --on schedule.");
            }

            if (rule.Cron is not null && !EventScheduler.TryParse(rule.Cron, out _))
            {
                return AdminRefusal.Invalid("cron", $"--cron '{rule.Cron}' is not a cron expression; write five fields, minute hour day month weekday, for example '0 3 * * *'.");
            }

            if (rule.On == EventKind.Schedule && rule.Conditions.Path is not null && rule.Conditions.User is null)
            {
                return AdminRefusal.Invalid("conditions.user", "A scheduled rule with --path acts on one user's files: name the user with --user.");
            }

            if (rule.Conditions.OlderThanDays is { } days && (days < 0 || rule.On != EventKind.Schedule))
            {
                return AdminRefusal.Invalid("conditions.olderThanDays", "--older-than-days takes a number of days (0 or more) and belongs to --on schedule with --path.");
            }

            if (rule.On == EventKind.PreUpload && rule.Actions.Any(action => action.Kind != RuleActionKind.Command))
            {
                return AdminRefusal.Invalid("actions", "--on pre-upload runs a --command on the upload before it is published; other actions belong to --on upload.");
            }

            return null;
    }
}
