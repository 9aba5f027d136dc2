namespace Gatehouse.Accounts.Events;

/// <summary>What becomes of a claimed delivery: the row as it is to be written back when the claim ends.</summary>
public sealed record DeliveryResult(long Id, DeliveryState State, int Attempts, int StepsDone, string? Outcome, DateTimeOffset NextAttemptAt, DateTimeOffset? FinishedAt)
{
    /// <param name="stepsDone">The rule's actions done so far: a retry starts with the next one, so a file moved is not moved twice.</param>
    /// <param name="retryAt">After a failure: when to try again, or null to give up (the delivery is kept as failed).</param>
    public static DeliveryResult Attempted(EventDelivery delivery, bool delivered, int stepsDone, string outcome, DateTimeOffset? retryAt, DateTimeOffset now)
    {
        var state = delivered ? DeliveryState.Delivered : retryAt is null ? DeliveryState.Failed : DeliveryState.Pending;
        return new(delivery.Id, state, delivery.Attempts, stepsDone, outcome, retryAt ?? now, state == DeliveryState.Pending ? null : now);
    }

    /// <summary>Claimed in a batch but not tried (an earlier delivery of its rule failed, or the batch ran out of time): back in the queue as it was.</summary>
    public static DeliveryResult NotAttempted(EventDelivery delivery) =>
        new(delivery.Id, DeliveryState.Pending, delivery.Attempts - 1, delivery.StepsDone, delivery.Outcome, delivery.NextAttemptAt, null);
}
