using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Parsing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>What became of one command line: the reply to send, and whether a handler ran (which makes the session busy again).</summary>
internal readonly record struct Dispatched(FtpReply Reply, bool Ran);

/// <summary>
/// From a command line to its reply: parsing, the handler of the verb, the command states (waiting for a running
/// transfer where they say so), the handler itself, and the mapping of its failures to replies. Refusals that count
/// against the client's address are scored, and turn into the ban's 421 when they earn one.
/// </summary>
internal sealed class CommandDispatcher(IFtpSession session, FtpCommandTable commands, TransferRunner transfers, BanList bans, Func<CommandStateFacts> facts)
{
    private ILogger Logger => session.Logger;

    public async Task<Dispatched> DispatchAsync(ControlRead read, CancellationToken cancellationToken)
    {
        var refusal = read.Kind switch
        {
            ControlReadKind.TooLong => new FtpReply(500, $"Command line too long: the limit is {ProtocolLimits.MaxCommandLineBytes} bytes."),
            ControlReadKind.InvalidEncoding => new FtpReply(501, "Command is not valid UTF-8 (RFC 2640); send names in UTF-8."),
            _ => null,
        };
        if (refusal is not null)
        {
            var detail = read.Kind == ControlReadKind.TooLong ? "command line too long" : "command not valid UTF-8";
            return new(await RefusalAsync(refusal, AbuseKind.ProtocolError, detail, cancellationToken).ConfigureAwait(false), Ran: false);
        }

        if (!FtpCommandParser.TryParse(read.Text, out var command, out var syntaxError))
        {
            return new(await RefusalAsync(new FtpReply(500, syntaxError), AbuseKind.ProtocolError, "unparsable command", cancellationToken).ConfigureAwait(false), Ran: false);
        }

        Log.CommandReceived(Logger, command.ToLogString());
        if (!commands.TryGet(command.Verb, out var handler))
        {
            // Clients probe for extensions after login; before login an unknown verb is a scanner's signature.
            var unknown = new FtpReply(502, $"{command.Verb} is not implemented; HELP lists the supported commands.");
            var abuse = session.State.IsLoggedIn ? (AbuseKind?)null : AbuseKind.ProtocolError;
            return new(await RefusalAsync(unknown, abuse, $"unknown command {command.Verb} before login", cancellationToken).ConfigureAwait(false), Ran: false);
        }

        var verb = handler.Info.Verbs[0];
        var decision = CommandStates.Decide(verb, facts());
        if (decision.Verdict == CommandVerdict.RunAfterTransfer)
        {
            await transfers.WaitAsync().ConfigureAwait(false);
            decision = CommandStates.Decide(verb, facts());
        }

        if (decision.Verdict == CommandVerdict.Refuse)
        {
            if (decision is { Abuse: null, Detail: { } reason })
            {
                Log.CommandRefused(Logger, command.Verb, reason);
            }

            return new(await RefusalAsync(decision.Refusal!, decision.Abuse, $"{command.Verb} {decision.Detail}", cancellationToken).ConfigureAwait(false), Ran: false);
        }

        var reply = await InvokeAsync(handler, command, cancellationToken).ConfigureAwait(false);
        if (!CommandStates.KeepsRenameSource(verb))
        {
            session.State.RenameFrom = null;
        }

        return new(reply, Ran: true);
    }

    /// <summary>The refusal to send, or the ban's 421 when scoring <paramref name="abuse"/> earned one.</summary>
    private async Task<FtpReply> RefusalAsync(FtpReply reply, AbuseKind? abuse, string detail, CancellationToken cancellationToken)
    {
        if (abuse is not { } kind)
        {
            return reply;
        }

        var address = session.ClientEndPoint.Address;
        await AbuseReports.ReportAsync(bans, Logger, address, kind, detail, cancellationToken).ConfigureAwait(false);
        return bans.IsBanned(address, out _) ? AbuseReports.BannedReply : reply;
    }

    private static FtpReply StoreUnavailableReply { get; } =
        new(451, "Local error: the account store is briefly unreachable; please try again in a minute.");

    private async Task<FtpReply> InvokeAsync(IFtpCommandHandler handler, FtpCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await handler.HandleAsync(new FtpCommandContext(session, command, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageConditions.Classify(ex) is { } failure)
        {
            Log.StorageFailure(Logger, command.Verb, command.Argument, failure);
            return StorageReplies.For(failure);
        }
        catch (DataChannelException ex)
        {
            return new FtpReply(425, ex.Message);
        }
        catch (StoreUnavailableException ex)
        {
            // Expected while the database restarts or fails over; the outage itself is logged once, not per command.
            Log.CommandStoreUnavailable(Logger, command.Verb, ex.Message);
            return StoreUnavailableReply;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CommandFailed(Logger, command.Verb, ex);
            return new FtpReply(451, "The server hit an internal error on this command; it has been logged and the session goes on.");
        }
    }
}
