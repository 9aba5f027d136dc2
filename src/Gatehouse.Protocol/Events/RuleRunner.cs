using Gatehouse.Accounts.Events;

namespace Gatehouse.Protocol.Events;

/// <summary>Runs a rule's actions in order, each under its own time-out, stopping at the first that fails.</summary>
public sealed class RuleRunner(WebhookSender webhooks, CommandRunner commands, FileActions files, MailSender mail)
{
    public WebhookSender Webhooks => webhooks;

    public CommandRunner Commands => commands;

    /// <param name="firstStep">Actions before it succeeded in an earlier attempt and are not run again.</param>
    /// <returns>The outcome of each action run; all succeeded when as many were run as remained.</returns>
    public async Task<IReadOnlyList<ActionOutcome>> RunAsync(EventRule rule, ServerEvent happened, long deliveryId, int attempt, int firstStep, CancellationToken cancellationToken)
    {
        var outcomes = new List<ActionOutcome>();
        foreach (var action in rule.Actions.Skip(firstStep))
        {
            var timeout = TimeSpan.FromSeconds(action.TimeoutSeconds);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            ActionOutcome outcome;
            try
            {
                outcome = action.Kind switch
                {
                    RuleActionKind.Webhook => await webhooks.SendAsync(action, new WebhookDocument { DeliveryId = deliveryId, Rule = rule.Name, Attempt = attempt, Event = happened }, limit.Token).ConfigureAwait(false),
                    RuleActionKind.Command => await RunCommandAsync(rule, action, happened, timeout, cancellationToken).ConfigureAwait(false),
                    RuleActionKind.Mail => await mail.SendAsync(action, happened, limit.Token).ConfigureAwait(false),
                    _ => await files.RunAsync(action, happened, limit.Token).ConfigureAwait(false),
                };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = ActionOutcome.Failure($"{action.Kind.ToString().ToLowerInvariant()} {action.Target}: no answer within the time-out of {action.TimeoutSeconds} s");
            }

            outcomes.Add(outcome);
            if (!outcome.Succeeded)
            {
                break;
            }
        }

        return outcomes;
    }

    private async Task<ActionOutcome> RunCommandAsync(EventRule rule, RuleAction action, ServerEvent happened, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await commands.RunAsync(rule.Name, action.Target, action.Arguments, happened, timeout, cancellationToken).ConfigureAwait(false);
        var text = $"command {action.Target}: {result}";
        return result.Succeeded ? ActionOutcome.Success(text) : ActionOutcome.Failure(text);
    }
}
