using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Files;

public sealed class RnfrHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["RNFR"], "RNFR <path>");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.TryResolveArgument(Info.Syntax, out var path, out var refusal))
        {
            return refusal;
        }

        if (await context.FileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false) is null)
        {
            return new FtpReply(550, $"{path} does not exist.");
        }

        context.State.RenameFrom = path;
        return new FtpReply(350, "Ready for RNTO.");
    }
}
