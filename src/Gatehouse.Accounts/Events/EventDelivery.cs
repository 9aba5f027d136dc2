namespace Gatehouse.Accounts.Events;

public enum DeliveryState
{
    /// <summary>Waiting for its first attempt or for a retry.</summary>
    Pending,
    Delivered,

    /// <summary>Every attempt failed; kept for inspection and `gatehouse event retry`.</summary>
    Failed,
}

/// <summary>One rule's delivery of one event: a row of the durable queue.</summary>
public sealed record EventDelivery(
    long Id,
    string Rule,
    ServerEvent Event,
    DeliveryState State,
    int Attempts,
    int StepsDone,
    DateTimeOffset QueuedAt,
    DateTimeOffset NextAttemptAt,
    string? ClaimedBy,
    DateTimeOffset? FinishedAt,
    string? Outcome);
