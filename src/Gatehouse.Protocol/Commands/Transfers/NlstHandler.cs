using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Transfers;

public sealed class NlstHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["NLST"], "NLST [path]");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        ListingCommand.SendAsync(context, ListArguments.StripOptions(context.Argument), requireDirectory: false,
            static (entry, line) => ListingFormatter.WriteName(entry.Name, line), nameFileByPath: true);
}
