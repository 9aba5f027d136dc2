namespace Gatehouse.Accounts.Events;

/// <summary>An event and the rules it is to be delivered to.</summary>
public sealed record QueuedEvent(ServerEvent Event, IReadOnlyCollection<string> Rules);
