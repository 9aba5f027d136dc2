using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Delivers the queue: claims a batch of the oldest deliveries of each rule whose queue head is due (whichever node
/// claims it first), runs the rule's actions for each in order, and records the outcomes, a retry time after
/// <see cref="DeliveryBackoff"/>, or failure, in one statement per batch. Rules are read from
/// the store again every <see cref="PollInterval"/>, so `gatehouse rule` changes apply within it.
/// </summary>
/// <remarks>
/// Uploads that fire events come in bursts, and the 226 of each waits for its event to be queued in the same store
/// this loop writes to: woken by a queued event, the loop waits until the burst pauses for <see cref="QuietGap"/>, or
/// <see cref="MaxGathering"/> after the first event, before it claims. A burst is then delivered in rounds of whole
/// batches (the rules read, a claim and a finish once per batch, not once per upload), and its deliveries do not take
/// the cores and the store's write lock from the transfers that are still firing it. A node that dies with a batch claimed has its deliveries delivered again once the lease ends, by
/// deliveryId, which receivers use to drop duplicates.
/// </remarks>
public sealed class EventDispatcher(
    IEventStore store, EventRecorder recorder, EventScheduler scheduler, RuleRunner runner, DeliveryBackoff backoff, TimeSpan keepDelivered, TimeProvider time, ILogger logger,
    GatehouseMetrics metrics)
{
    /// <summary>Deliveries of one rule claimed at once: one claim and one finish in the store for as many deliveries.</summary>
    private const int BatchSize = 64;

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan QuietGap = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest a delivery waits for its burst to pause: under a steady stream of events, a round a second.</summary>
    public static readonly TimeSpan MaxGathering = TimeSpan.FromSeconds(1);

    /// <summary>How long a node goes on starting deliveries of a claimed batch; what is left goes back to the queue.</summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    private DateTimeOffset _rulesLoaded = DateTimeOffset.MinValue;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var starting = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (starting)
                {
                    starting = false;
                    if (await recorder.MoveJournalAsync(stoppingToken).ConfigureAwait(false) is var recovered and > 0)
                    {
                        EventLog.JournalRecovered(logger, recovered);
                    }
                }

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
                    await GatherAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await MoveJournalAtStopAsync().ConfigureAwait(false);
    }

    /// <summary>What the journal holds goes into the store at a stop, so that `gatehouse event list` shows it meanwhile.</summary>
    private async Task MoveJournalAtStopAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await recorder.MoveJournalAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || StoreReachability.IsOutage(ex))
        {
            // Left in the journal: moved at the next start.
        }
    }

    private async Task GatherAsync(CancellationToken stoppingToken)
    {
        var until = time.GetUtcNow() + MaxGathering;
        long queued;
        do
        {
            queued = recorder.QueuedCount;
            await Task.Delay(QuietGap, time, stoppingToken).ConfigureAwait(false);
        }
        while (recorder.QueuedCount != queued && time.GetUtcNow() < until);
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
        await recorder.MoveJournalAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var deliverBy = time.GetUtcNow() + BatchWindow;
            var claimed = await store.ClaimDueAsync(recorder.Node, Lease(), BatchSize, cancellationToken).ConfigureAwait(false);
            if (claimed.Count == 0)
            {
                return;
            }

            // Each rule's batch at once: one slow receiver does not hold up the other rules.
            var leftDue = await Task.WhenAll(claimed.GroupBy(delivery => delivery.Rule).Select(batch => DeliverBatchAsync([.. batch.OrderBy(delivery => delivery.Id)], deliverBy, cancellationToken)))
                .ConfigureAwait(false);
            if (!leftDue.Any(more => more))
            {
                // Every due delivery was claimed: what is queued meanwhile wakes the loop again, no need for an empty claim.
                return;
            }
        }
    }

    /// <summary>
    /// Delivers one rule's claimed deliveries in order, stopping at the first that is not delivered (the rest wait behind
    /// its retry) or when <paramref name="deliverBy"/> has passed (so that every delivery started ends within the lease),
    /// then records every outcome in one statement; those not attempted go back to the queue as they were.
    /// </summary>
    /// <returns>Whether more of the rule's deliveries may be due now: the batch was full or ran out of time.</returns>
    private async Task<bool> DeliverBatchAsync(IReadOnlyList<EventDelivery> batch, DateTimeOffset deliverBy, CancellationToken cancellationToken)
    {
        var attempts = new List<Attempt>();
        foreach (var delivery in batch)
        {
            if (attempts.Count > 0 && (attempts[^1].Result.State != DeliveryState.Delivered || time.GetUtcNow() >= deliverBy))
            {
                break;
            }

            try
            {
                attempts.Add(await AttemptAsync(delivery, cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: what was delivered is still recorded below, so that it is not delivered again after the restart.
                break;
            }
        }

        var results = attempts.Select(attempt => attempt.Result).Concat(batch.Skip(attempts.Count).Select(DeliveryResult.NotAttempted)).ToList();
        var recorded = await store.FinishAsync(recorder.Node, results, CancellationToken.None).ConfigureAwait(false);
        foreach (var attempt in attempts)
        {
            Report(attempt, recorded.Contains(attempt.Delivery.Id));
        }

        var stoppedByFailure = attempts.Count > 0 && attempts[^1].Result.State != DeliveryState.Delivered;
        return batch.Count == BatchSize || (attempts.Count < batch.Count && !stoppedByFailure);
    }

    private async Task<Attempt> AttemptAsync(EventDelivery delivery, CancellationToken cancellationToken)
    {
        IReadOnlyList<ActionOutcome> outcomes;
        var rule = recorder.Rules.Find(delivery.Rule);
        if (rule is null)
        {
            outcomes = [ActionOutcome.Failure($"rule '{delivery.Rule}' was removed or left out")];
        }
        else
        {
            outcomes = await runner.RunAsync(rule, delivery.Event, delivery.Id, delivery.Attempts, delivery.StepsDone, cancellationToken).ConfigureAwait(false);
        }

        var stepsDone = delivery.StepsDone + outcomes.Count(outcome => outcome.Succeeded);
        var delivered = rule is not null && stepsDone >= rule.Actions.Count;
        var text = outcomes.Count == 0 ? "no action left to run" : string.Join("; ", outcomes.Select(outcome => outcome.Text));
        var delay = delivered ? null : backoff.After(delivery.Attempts);
        var now = time.GetUtcNow();
        return new Attempt(delivery, DeliveryResult.Attempted(delivery, delivered, stepsDone, text, delay is { } wait ? now + wait : null, now), text, delay);
    }

    private void Report(Attempt attempt, bool recorded)
    {
        var (delivery, result, text, delay) = attempt;
        var happened = delivery.Event;
        if (!recorded)
        {
            EventLog.ClaimLost(logger, delivery.Rule, delivery.Id);
            metrics.EventDelivery(delivery.Rule, "claim_lost");
        }
        else if (result.State == DeliveryState.Delivered)
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

    private sealed record Attempt(EventDelivery Delivery, DeliveryResult Result, string Text, TimeSpan? Retry);

    /// <summary>
    /// Long enough for the slowest rule's actions, each to its time-out, started at the end of the batch window: a live
    /// node never loses its claim.
    /// </summary>
    private TimeSpan Lease()
    {
        var slowest = recorder.Rules.All.Select(rule => rule.Actions.Sum(action => action.TimeoutSeconds)).DefaultIfEmpty(0).Max();
        return TimeSpan.FromSeconds(slowest) + BatchWindow + LeaseMargin;
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
