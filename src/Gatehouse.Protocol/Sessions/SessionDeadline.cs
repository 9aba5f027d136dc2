using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Sessions;

/// <summary>
/// A session's one deadline: the absolute login time-out until login, then the idle time-out, which a running transfer
/// suspends. When it passes, the expire callback is called with the reason and the 421 to close with.
/// </summary>
internal sealed class SessionDeadline : IAsyncDisposable
{
    private const string LoginReason = "login time-out";
    private const string IdleReason = "idle time-out";
    private readonly LimitsOptions _limits;
    private readonly Func<bool> _transferring;
    private readonly Action<string, FtpReply> _expire;
    private readonly ITimer _timer;
    private volatile string _reason = string.Empty;

    public SessionDeadline(TimeProvider time, LimitsOptions limits, Func<bool> transferring, Action<string, FtpReply> expire)
    {
        (_limits, _transferring, _expire) = (limits, transferring, expire);
        _timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void StartLogin() => Arm(LoginReason, _limits.LoginTimeoutSeconds);

    public void StartIdle() => Arm(IdleReason, _limits.IdleTimeoutSeconds);

    /// <summary>No deadline runs while a transfer does; once it has ended, a logged-in session is idle again.</summary>
    public void TransferRunning(bool running, bool loggedIn)
    {
        if (running)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        else if (loggedIn)
        {
            StartIdle();
        }
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();

    private void Arm(string reason, int seconds)
    {
        _reason = reason;
        _timer.Change(TimeSpan.FromSeconds(seconds), Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        if (_transferring())
        {
            return;
        }

        var reason = _reason;
        var seconds = reason == LoginReason ? _limits.LoginTimeoutSeconds : _limits.IdleTimeoutSeconds;
        _expire(reason, new FtpReply(421, $"{char.ToUpperInvariant(reason[0])}{reason[1..]} ({seconds} s); closing the control connection."));
    }
}
