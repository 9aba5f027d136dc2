using System.Net;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.DataConnections;

/// <summary>The checks PORT and EPRT share: active mode enabled, not after EPSV ALL, and RFC 2577 bounce protection.</summary>
internal static class ActiveModeCommand
{
    public static FtpReply? Refusal(FtpCommandContext context)
    {
        if (!context.Session.Options.Ftp.AllowActiveMode)
        {
            return new FtpReply(502, "Active mode is disabled on this server (Ftp:AllowActiveMode): use PASV or EPSV.");
        }

        return context.State.EpsvOnly ? new FtpReply(503, "EPSV ALL is in effect: only EPSV may set up data connections.") : null;
    }

    public static async ValueTask<FtpReply> AcceptAsync(FtpCommandContext context, IPEndPoint target, string verb)
    {
        if (!ActiveModePolicy.IsAllowed(target, context.Session.ClientEndPoint.Address, out var reason))
        {
            Log.ActiveModeRefused(context.Session.Logger, reason);
            return new FtpReply(504, reason);
        }

        await context.Session.SetActiveTargetAsync(target).ConfigureAwait(false);
        return new FtpReply(200, $"{verb} command successful.");
    }
}
