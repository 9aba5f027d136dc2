using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Transfers;

public sealed class ListHandler(TimeProvider time) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["LIST"], "LIST [path]");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var now = time.GetUtcNow();
        return ListingCommand.SendAsync(context, ListArguments.StripOptions(context.Argument), requireDirectory: false,
            (entry, line) => ListingFormatter.WriteUnixLine(entry, now, line));
    }
}
