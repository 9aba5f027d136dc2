using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Sessions;

/// <summary>Limits:LoginTimeoutSeconds, and the shorter Limits:LoginTimeoutUnderPressureSeconds that applies while connections waiting to log in crowd the server.</summary>
public sealed record LoginTimeouts(TimeSpan Normal, TimeSpan UnderPressure, Func<bool> IsUnderPressure)
{
    public static LoginTimeouts From(LimitsOptions limits, Func<bool> isUnderPressure) =>
        new(
            TimeSpan.FromSeconds(limits.LoginTimeoutSeconds),
            TimeSpan.FromSeconds(Math.Min(limits.LoginTimeoutUnderPressureSeconds, limits.LoginTimeoutSeconds)),
            isUnderPressure);
}

/// <summary>
/// A session's one deadline: the absolute login time-out until login, then the idle time-out, which a running transfer
/// suspends. When it passes, the expire callback is called with the reason and the 421 to close with. A login gets the
/// short time-out first; only a server that is not crowded when that passes lets it have the rest of the normal one.
/// </summary>
public sealed class SessionDeadline : IAsyncDisposable
{
    private const string LoginReason = "login time-out";
    private const string IdleReason = "idle time-out";
    private readonly LoginTimeouts _login;
    private readonly TimeSpan _idleTimeout;
    private readonly Func<bool> _transferring;
    private readonly Action<string, FtpReply> _expire;
    private readonly ITimer _timer;
    private volatile string _reason = string.Empty;
    private volatile bool _loginExtended;

    public SessionDeadline(TimeProvider time, LoginTimeouts login, TimeSpan idleTimeout, Func<bool> transferring, Action<string, FtpReply> expire)
    {
        (_login, _idleTimeout, _transferring, _expire) = (login, idleTimeout, transferring, expire);
        _timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void StartLogin()
    {
        _loginExtended = false;
        Arm(LoginReason, _login.UnderPressure);
    }

    public void StartIdle() => Arm(IdleReason, _idleTimeout);

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

    private void Arm(string reason, TimeSpan timeout)
    {
        _reason = reason;
        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        if (_transferring())
        {
            return;
        }

        var reason = _reason;
        if (reason == LoginReason && !_loginExtended && _login.Normal > _login.UnderPressure && !_login.IsUnderPressure())
        {
            _loginExtended = true;
            _timer.Change(_login.Normal - _login.UnderPressure, Timeout.InfiniteTimeSpan);
            return;
        }

        var seconds = (reason == IdleReason ? _idleTimeout : _loginExtended ? _login.Normal : _login.UnderPressure).TotalSeconds;
        _expire(reason, new FtpReply(421, $"{char.ToUpperInvariant(reason[0])}{reason[1..]} ({seconds} s); closing the control connection."));
    }
}
