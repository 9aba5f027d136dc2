using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.DataConnections;

public sealed class EprtHandler(bool activeModeAllowed) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["EPRT"], "EPRT |1|address|port| or |2|address|port|");

    public IEnumerable<string> Features(IFtpSession session) => activeModeAllowed ? ["EPRT"] : [];

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (DataChannelPolicy.ActiveModeRefusal(activeModeAllowed) is { } refusal)
        {
            return refusal;
        }

        if (!ActiveModeParser.TryParseEprt(context.Argument, out var target, out var error, out var unsupported))
        {
            return new FtpReply(unsupported ? 522 : 501, error);
        }

        return await ActiveModeCommand.AcceptAsync(context, target, "EPRT").ConfigureAwait(false);
    }
}
