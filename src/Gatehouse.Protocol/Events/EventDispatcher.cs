using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Delivers the queue: claims the due head of each rule's queue (whichever node claims it first), runs the rule's
/// actions, and records the outcome, a retry time after <see cref="DeliveryBackoff"/>, or failure. Rules are read from
/// the store again every <see cref="PollInterval"/>, so `gatehouse rule` changes apply within it.
/// </summary>
/// <remarks>
/// Uploads that fire events come in bursts, and the 226 of each waits for its event to be queued in the same store
/// this loop writes to: woken by a queued event, the loop lets <see cref="Gathering"/> pass before it claims, so that a
/// burst is delivered in one round (the rules read and the last, empty claim once per round, not once per upload).
/// </remarks>
public sealed class EventDispatcher(
    IEventStore store, EventRecorder recorder, EventScheduler scheduler, RuleRunner runner, DeliveryBackoff backoff, TimeSpan keepDelivered, TimeProvider time, ILogger logger,
    GatehouseMetrics metrics)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    private DateTimeOffset _rulesLoaded = DateTimeOffset.MinValue;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && StoreReachability.IsOutage(ex))
            {
                // The store's outage is logged once, by its monitor; deliveries wait in the store until it is back.
                Log.StoreWriteDeferred(logger, "claim event deliveries", ex.Message);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                EventLog.StoreFailed(logger, ex);
            }

            try
            {
                if (await recorder.WaitForQueuedAsync(PollInterval, stoppingToken).ConfigureAwait(false))
                {
                    await Task.Delay(Gathering, time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task LoadRulesAsync(CancellationToken cancellationToken)
    {
        _rulesLoaded = time.GetUtcNow();
        foreach (var skipped in recorder.Rules.Replace(await store.ListRulesAsync(cancellationToken).ConfigureAwait(false)))
        {
            EventLog.RuleSkipped(logger, skipped);
        }
    }

    /// <summary>Reads the rules when they are due, then delivers until nothing more is due.</summary>
    public async Task RoundAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _rulesLoaded >= PollInterval)
        {
            await LoadRulesAsync(cancellationToken).ConfigureAwait(false);
        }

        await scheduler.RunDueAsync(cancellationToken).ConfigureAwait(false);
        await PruneAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var claimed = await store.ClaimDueAsync(recorder.Node, Lease(), cancellationToken).ConfigureAwait(false);
            if (claimed.Count == 0)
            {
                return;
            }

            // Each rule's head at once: one slow receiver does not hold up the other rules.
            await Task.WhenAll(claimed.Select(delivery => DeliverAsync(delivery, cancellationToken))).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(EventDelivery delivery, CancellationToken cancellationToken)
    {
        var happened = delivery.Event;
        IReadOnlyList<ActionOutcome> outcomes;
        var rule = recorder.Rules.Find(delivery.Rule);
        if (rule is null)
        {
            outcomes = [ActionOutcome.Failure($"rule '{delivery.Rule}' was removed or left out")];
        }
        else
        {
            outcomes = await runner.RunAsync(rule, happened, delivery.Id, delivery.Attempts, delivery.StepsDone, cancellationToken).ConfigureAwait(false);
        }

        var stepsDone = delivery.StepsDone + outcomes.Count(outcome => outcome.Succeeded);
        var delivered = rule is not null && stepsDone >= rule.Actions.Count;
        var text = outcomes.Count == 0 ? "no action left to run" : string.Join("; ", outcomes.Select(outcome => outcome.Text));
        var delay = delivered ? null : backoff.After(delivery.Attempts);
        DateTimeOffset? retryAt = delay is { } wait ? time.GetUtcNow() + wait : null;
        if (!await store.FinishAsync(delivery.Id, recorder.Node, delivered, stepsDone, text, retryAt, CancellationToken.None).ConfigureAwait(false))
        {
            EventLog.ClaimLost(logger, delivery.Rule, delivery.Id);
            metrics.EventDelivery(delivery.Rule, "claim_lost");
        }
        else if (delivered)
        {
            EventLog.Delivered(logger, delivery.Rule, delivery.Id, happened.Kind, happened.Path, delivery.Attempts, text);
            metrics.EventDelivery(delivery.Rule, "delivered");
        }
        else if (delay is { } next)
        {
            EventLog.WillRetry(logger, delivery.Rule, delivery.Id, happened.Kind, happened.Path, delivery.Attempts, next, text);
            metrics.EventDelivery(delivery.Rule, "retry");
        }
        else
        {
            EventLog.GaveUp(logger, delivery.Rule, delivery.Id, happened.Kind, happened.Path, delivery.Attempts, text);
            metrics.EventDelivery(delivery.Rule, "failed");
        }
    }

    /// <summary>Long enough for the slowest rule's actions, each to its time-out, so a live node never loses its claim.</summary>
    private TimeSpan Lease()
    {
        var slowest = recorder.Rules.All.Select(rule => rule.Actions.Sum(action => action.TimeoutSeconds)).DefaultIfEmpty(0).Max();
        return TimeSpan.FromSeconds(slowest) + LeaseMargin;
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastPrune < PruneInterval)
        {
            return;
        }

        _lastPrune = now;
        var pruned = await store.PruneDeliveredAsync(now - keepDelivered, cancellationToken).ConfigureAwait(false);
        if (pruned > 0)
        {
            EventLog.Pruned(logger, pruned);
        }
    }
}
