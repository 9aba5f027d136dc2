using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Parsing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Commands.Login;

/// <summary>
/// The client only ever hears "Login incorrect", whether the password was wrong or a rule (network, expiry,
/// client certificate, directory group) refused the account; the log says why. Each failure is delayed and
/// scored against the client's address, and after Limits:MaxLoginAttempts failures the connection is closed.
/// The exceptions are a directory or account store that cannot be reached: 421 "try again later", not held against
/// the client (while the store is away, a partner who logged in on this node before is checked against that login).
/// Before the password is checked, the account throttle may hold the answer (a name under a spray from many
/// addresses), whatever the outcome, so that the timing tells neither the password's correctness nor the name's existence.
/// </summary>
public sealed class PassHandler(
    Authenticator authenticator,
    LoginAuthorizer logins,
    Func<Account, AccessPolicy, IFileSystem> fileSystems,
    BanList bans,
    AccountThrottle accountThrottle,
    LimitsOptions limits,
    TimeProvider time,
    GatehouseMetrics metrics,
    LoginAudit? audit) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["PASS"], "PASS <password>");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var state = context.State;
        if (state.IsLoggedIn)
        {
            return new FtpReply(503, "Already logged in.");
        }

        // The command states let PASS through before login only after USER.
        var user = state.PendingUser!;
        state.PendingUser = null;
        var session = context.Session;
        if (bans.IsBanned(session.ClientEndPoint.Address, out _))
        {
            Count(session, LoginResult.Refused, user, "address banned");
            return AbuseReports.BannedReply;
        }

        var throttled = await accountThrottle.BeginAsync(user, session.ClientEndPoint.Address, session.Logger, context.CancellationToken).ConfigureAwait(false);
        if (throttled.Refused)
        {
            Count(session, LoginResult.Refused, user, "refused by the account throttle");
            // Answered after the failed-login delay, so that reconnecting at once does not turn refusals into a flood.
            await AbuseReports.ReportAsync(bans, session.Logger, session.ClientEndPoint.Address, AbuseKind.FailedLogin, $"user '{user}': refused by the account throttle", context.CancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(limits.FailedLoginDelayMilliseconds), time, context.CancellationToken).ConfigureAwait(false);
            return AccountThrottledReply;
        }

        await Task.Delay(throttled.Wait, time, context.CancellationToken).ConfigureAwait(false);
        try
        {
            return await CheckAsync(context, user, throttled).ConfigureAwait(false);
        }
        catch (StoreUnavailableException unreachable)
        {
            // Not the client's fault, so not scored against its address: the store went away in the middle of this login.
            Log.LoginStoreUnavailable(session.Logger, user, unreachable.Message);
            return StoreUnavailableReply;
        }
    }

    /// <summary>The same whether the account exists or not: the store being away, the node cannot tell.</summary>
    private static FtpReply StoreUnavailableReply { get; } = new(421, "Logins are briefly unavailable; please try again in a minute.", AfterReply.Close);

    private async Task<FtpReply> CheckAsync(FtpCommandContext context, string user, AccountAttempt throttled)
    {
        var session = context.Session;
        var result = context.Argument.Length > ProtocolLimits.MaxPasswordLength
            ? new AuthenticationResult(null, AuthenticationFailure.WrongPassword)
            : await authenticator.AuthenticateAsync(user, context.Argument, context.CancellationToken).ConfigureAwait(false);
        string reason;
        if (result.Account is { } account)
        {
            var attempt = new LoginAttempt(session.Id, session.ClientEndPoint.Address, session.IsControlSecure, session.ClientCertificateFingerprint);
            var decision = await logins.AuthorizeAsync(account, attempt, context.CancellationToken, result.Offline).ConfigureAwait(false);
            if (decision is { Policy: { } policy, Ticket: { } ticket })
            {
                try
                {
                    session.CompleteLogin(account, policy, fileSystems(account, policy), ticket);
                    if (result.Offline is { } offline)
                    {
                        Log.OfflineLogin(session.Logger, user, offline.LoggedInAt);
                    }

                    await accountThrottle.SucceededAsync(throttled, session.Logger).ConfigureAwait(false);
                }
                catch
                {
                    await ticket.LeaveAsync().ConfigureAwait(false);
                    throw;
                }

                Count(session, LoginResult.Success, user, $"session={session.Id} tls={session.IsControlSecure}{(result.Offline is null ? string.Empty : " offline")}");
                await session.RaiseEventAsync(EventKind.Login, new EventFacts()).ConfigureAwait(false);
                return new FtpReply(230, "Login successful.");
            }

            Log.LoginRefused(session.Logger, user, decision.Reason);
            if (decision.Reply is { } visible)
            {
                Count(session, LoginResult.Refused, user, decision.Reason);
                await accountThrottle.SucceededAsync(throttled, session.Logger).ConfigureAwait(false);
                return visible;
            }

            reason = decision.Reason;
        }
        else if (result.Failure == AuthenticationFailure.DirectoryUnavailable)
        {
            // Not the client's fault, so not scored against its address; it may simply try again later.
            Log.DirectoryUnavailable(session.Logger, user, result.Detail);
            Count(session, LoginResult.Unavailable, user, "the account directory cannot be reached");
            return new FtpReply(421, "Login service unavailable: the account directory cannot be reached. Try again later.", AfterReply.Close);
        }
        else if (result.Failure == AuthenticationFailure.StoreUnavailable)
        {
            Log.LoginStoreUnavailable(session.Logger, user, result.Detail);
            Count(session, LoginResult.Unavailable, user, "the account store cannot be reached");
            return StoreUnavailableReply;
        }
        else
        {
            reason = result.Failure switch
            {
                AuthenticationFailure.UnknownUser => "no such user",
                AuthenticationFailure.Disabled => "account disabled",
                AuthenticationFailure.NotPermitted => "refused",
                _ => "wrong password",
            };
            if (result.Detail.Length > 0)
            {
                reason += ": " + result.Detail;
            }

            Log.LoginFailed(session.Logger, user, reason);
        }

        return await FailAsync(context, user, reason, throttled).ConfigureAwait(false);
    }

    /// <summary>Every outcome counted in the metrics and recorded in the audit trail (queued: the login does not wait).</summary>
    private void Count(IFtpSession session, LoginResult result, string user, string detail)
    {
        metrics.Login(result);
        audit?.Record(
            result switch { LoginResult.Success => "ftp.login", LoginResult.Failure => "ftp.login.failed", LoginResult.Refused => "ftp.login.refused", _ => "ftp.login.unavailable" },
            user,
            session.ClientEndPoint.Address,
            detail);
    }

    /// <summary>The same for every name, existing or not: a spray learns nothing about which names exist.</summary>
    private static FtpReply AccountThrottledReply { get; } =
        new(421, "Too many failed logins for this user name from many addresses; try again in a few minutes.", AfterReply.Close);

    private async Task<FtpReply> FailAsync(FtpCommandContext context, string user, string reason, AccountAttempt attempt)
    {
        var session = context.Session;
        Count(session, LoginResult.Failure, user, reason);
        context.State.FailedLogins++;
        await session.RaiseEventAsync(EventKind.LoginFailed, new EventFacts { User = user, Reason = reason }).ConfigureAwait(false);
        await accountThrottle.FailedAsync(attempt, session.Logger).ConfigureAwait(false);
        var address = session.ClientEndPoint.Address;
        await AbuseReports.ReportAsync(bans, session.Logger, address, AbuseKind.FailedLogin, $"user '{user}': {reason}", context.CancellationToken).ConfigureAwait(false);
        if (bans.IsBanned(address, out _))
        {
            return AbuseReports.BannedReply;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(limits.FailedLoginDelayMilliseconds), time, context.CancellationToken).ConfigureAwait(false);
        return context.State.FailedLogins >= limits.MaxLoginAttempts
            ? new FtpReply(421, "Login incorrect. Too many failed attempts; closing the connection.", AfterReply.Close)
            : new FtpReply(530, "Login incorrect.");
    }
}
