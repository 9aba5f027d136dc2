using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Transfers;

public sealed class MlsdHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["MLSD"], "MLSD [directory]");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var facts = context.State.MlstFacts;
        return ListingCommand.SendAsync(context, context.Argument, requireDirectory: true,
            (entry, line) => ListingFormatter.WriteFacts(entry, facts, entry.Name, isHome: false, line));
    }
}
