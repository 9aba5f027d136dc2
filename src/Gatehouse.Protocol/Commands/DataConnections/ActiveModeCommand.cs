using System.Net;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.DataConnections;

/// <summary>The checks PORT and EPRT share: active mode enabled, and RFC 2577 bounce protection.</summary>
internal static class ActiveModeCommand
{
    public static async ValueTask<FtpReply> AcceptAsync(FtpCommandContext context, IPEndPoint target, string verb)
    {
        if (!DataChannelPolicy.IsActiveTargetAllowed(target, context.Session.ClientEndPoint.Address, out var reason))
        {
            Log.ActiveModeRefused(context.Session.Logger, reason);
            return new FtpReply(504, reason);
        }

        await context.Session.SetActiveTargetAsync(target).ConfigureAwait(false);
        return new FtpReply(200, $"{verb} command successful.");
    }
}
