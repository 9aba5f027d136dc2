using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Access;

/// <summary>
/// A token bucket shared by all of one user's transfers in one direction. Each chunk takes its bytes from the
/// bucket, possibly into debt, and waits until the debt is paid at the configured rate; since every waiter
/// pays for the chunks queued before it, concurrent sessions share the rate evenly.
/// </summary>
public sealed class TransferThrottle(long bytesPerSecond, TimeProvider time)
{
    private readonly object _sync = new();
    private readonly double _burst = Math.Max(bytesPerSecond / 4.0, 16 * 1024);
    private double _tokens = Math.Max(bytesPerSecond / 4.0, 16 * 1024);
    private long _last = time.GetTimestamp();

    public long BytesPerSecond { get; } = bytesPerSecond;

    public Task WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_sync)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * BytesPerSecond);
            _last = now;
            _tokens -= bytes;
            wait = _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / BytesPerSecond);
        }

        return wait == TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, time, cancellationToken);
    }
}

/// <summary>One throttle per user and direction; a changed rate (after a settings change and a new login) replaces it.</summary>
public sealed class TransferThrottles(TimeProvider time)
{
    private readonly Dictionary<(string User, TransferDirection Direction), TransferThrottle> _throttles = [];

    /// <summary>The logged-in user's throttle for this direction, if their policy sets a rate.</summary>
    public TransferThrottle? For(SessionState state, TransferDirection direction) =>
        state is { Account: { } account, Policy: { } policy }
            ? For(account.Name, direction, direction == TransferDirection.Incoming ? policy.UploadBytesPerSecond : policy.DownloadBytesPerSecond)
            : null;

    public TransferThrottle? For(string user, TransferDirection direction, long? bytesPerSecond)
    {
        if (bytesPerSecond is not { } rate)
        {
            return null;
        }

        lock (_throttles)
        {
            if (!_throttles.TryGetValue((user, direction), out var throttle) || throttle.BytesPerSecond != rate)
            {
                _throttles[(user, direction)] = throttle = new TransferThrottle(rate, time);
            }

            return throttle;
        }
    }
}
