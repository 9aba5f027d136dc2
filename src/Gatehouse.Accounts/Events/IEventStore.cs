namespace Gatehouse.Accounts.Events;

/// <summary>
/// Event rules and the durable queue of their deliveries, in the account store so that every node of a cluster shares
/// them. A delivery is claimed by one node for a lease; only the oldest undelivered delivery of each rule can be
/// claimed, so a rule sees its events in order. A node that dies holding a claim loses it when the lease ends, and
/// another node (or the same one restarted) delivers it.
/// </summary>
public interface IEventStore
{
    Task<IReadOnlyList<EventRule>> ListRulesAsync(CancellationToken cancellationToken);

    Task<EventRule?> FindRuleAsync(string name, CancellationToken cancellationToken);

    /// <returns>False when a rule with that name exists.</returns>
    Task<bool> AddRuleAsync(EventRule rule, CancellationToken cancellationToken);

    /// <returns>False when no rule has that name.</returns>
    Task<bool> ReplaceRuleAsync(EventRule rule, CancellationToken cancellationToken);

    /// <summary>Removes the rule; its deliveries stay for inspection but are no longer attempted.</summary>
    Task<bool> RemoveRuleAsync(string name, CancellationToken cancellationToken);

    /// <summary>Queues one delivery of <paramref name="happened"/> per rule, all or none.</summary>
    Task EnqueueAsync(ServerEvent happened, IReadOnlyCollection<string> rules, CancellationToken cancellationToken);

    /// <summary>
    /// Queues one delivery of each event per rule, in order, all or none. A delivery of an event (by its id) to a rule
    /// that is queued already is left out, so that events can be queued again after a crash without duplicates.
    /// </summary>
    Task EnqueueAsync(IReadOnlyList<QueuedEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Claims, for <paramref name="lease"/>, the oldest pending deliveries of each rule whose oldest pending delivery is due
    /// and not claimed by a live lease: up to <paramref name="perRule"/> of them, consecutive, to be delivered in order.
    /// Claims are taken one at a time across nodes, so no two nodes hold deliveries of the same rule at once.
    /// </summary>
    Task<IReadOnlyList<EventDelivery>> ClaimDueAsync(string node, TimeSpan lease, int perRule, CancellationToken cancellationToken);

    /// <summary>Records the results of claimed deliveries, all in one statement, and ends their claims.</summary>
    /// <returns>The ids recorded: not those whose claim was lost meanwhile (the lease ended and another node took them).</returns>
    Task<IReadOnlySet<long>> FinishAsync(string node, IReadOnlyList<DeliveryResult> results, CancellationToken cancellationToken);

    /// <summary>The newest deliveries first.</summary>
    Task<IReadOnlyList<EventDelivery>> ListDeliveriesAsync(DeliveryState? state, int limit, CancellationToken cancellationToken);

    Task<EventDelivery?> FindDeliveryAsync(long id, CancellationToken cancellationToken);

    /// <summary>Puts a delivery back in the queue with a fresh count of attempts; it goes on from the action that failed.</summary>
    Task<bool> RetryAsync(long id, CancellationToken cancellationToken);

    /// <summary>Takes a scheduled rule's occurrence for <paramref name="node"/>; false when another node (or this one) already has.</summary>
    Task<bool> ClaimOccurrenceAsync(string rule, DateTimeOffset occurrence, string node, CancellationToken cancellationToken);

    /// <summary>Deletes deliveries that succeeded, and records of schedule occurrences, before <paramref name="before"/>.</summary>
    Task<int> PruneDeliveredAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
