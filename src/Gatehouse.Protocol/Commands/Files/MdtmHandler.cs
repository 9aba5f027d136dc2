using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Files;

public sealed class MdtmHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["MDTM"], "MDTM <file>");

    public IEnumerable<string> Features(IFtpSession session) => ["MDTM"];

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.TryResolve(out var path, out var refusal))
        {
            return refusal;
        }

        var entry = await context.FileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false);
        return entry is null
            ? new FtpReply(550, $"{path} does not exist.")
            : new FtpReply(213, ListingFormatter.Timestamp(entry.LastModified));
    }
}
