namespace Gatehouse.Protocol.Events;

/// <summary>When a failed delivery is tried again: the base wait, doubled after each further failure, never more than an hour.</summary>
public sealed class DeliveryBackoff(int maxAttempts, TimeSpan baseDelay)
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    /// <returns>The wait after attempt number <paramref name="attempts"/> failed, or null when that was the last one.</returns>
    public TimeSpan? After(int attempts)
    {
        if (attempts >= maxAttempts)
        {
            return null;
        }

        var doublings = Math.Min(attempts - 1, 30);
        var delay = baseDelay * Math.Pow(2, doublings);
        return delay < MaxDelay ? delay : MaxDelay;
    }
}
