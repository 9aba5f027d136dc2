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

        await context.FileSystem.CheckRenameSourceAsync(path, context.CancellationToken).ConfigureAwait(false);

        context.State.RenameFrom = path;
        return new FtpReply(350, "Ready for RNTO.");
    }
}
