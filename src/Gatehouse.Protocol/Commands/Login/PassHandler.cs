using Gatehouse.Accounts;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Parsing;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Login;

/// <summary>
/// The client only ever hears "Login incorrect"; the log says why. Each failure is delayed, and after
/// Limits:MaxLoginAttempts failures the connection is closed.
/// </summary>
public sealed class PassHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["PASS"], "PASS <password>", CommandAccess.Anytime);

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var state = context.State;
        if (state.IsLoggedIn)
        {
            return new FtpReply(503, "Already logged in.");
        }

        if (state.PendingUser is not { } user)
        {
            return new FtpReply(503, "Send USER first.");
        }

        state.PendingUser = null;
        var server = context.Session.Server;
        var result = context.Argument.Length > ProtocolLimits.MaxPasswordLength
            ? new AuthenticationResult(null, AuthenticationFailure.WrongPassword)
            : await server.Authenticator.AuthenticateAsync(user, context.Argument, context.CancellationToken).ConfigureAwait(false);
        if (result.Account is { } account)
        {
            context.Session.CompleteLogin(account, server.FileSystems(account));
            return new FtpReply(230, "Login successful.");
        }

        Log.LoginFailed(context.Session.Logger, user, result.Failure switch
        {
            AuthenticationFailure.UnknownUser => "no such user",
            AuthenticationFailure.Disabled => "account disabled",
            _ => "wrong password",
        });
        state.FailedLogins++;
        var limits = context.Session.Options.Limits;
        await Task.Delay(TimeSpan.FromMilliseconds(limits.FailedLoginDelayMilliseconds), server.Time, context.CancellationToken).ConfigureAwait(false);
        return state.FailedLogins >= limits.MaxLoginAttempts
            ? new FtpReply(421, "Login incorrect. Too many failed attempts; closing the connection.", AfterReply.Close)
            : new FtpReply(530, "Login incorrect.");
    }
}
