using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.DataConnections;

public sealed class PortHandler(bool activeModeAllowed) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["PORT"], "PORT h1,h2,h3,h4,p1,p2");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (DataChannelPolicy.ActiveModeRefusal(activeModeAllowed) is { } refusal)
        {
            return refusal;
        }

        return ActiveModeParser.TryParsePort(context.Argument, out var target, out var error)
            ? await ActiveModeCommand.AcceptAsync(context, target, "PORT").ConfigureAwait(false)
            : new FtpReply(501, error);
    }
}
