using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Files;

public sealed class DeleHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["DELE"], "DELE <file>");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.TryResolveArgument(Info.Syntax, out var path, out var refusal))
        {
            return refusal;
        }

        await context.FileSystem.DeleteFileAsync(path, context.CancellationToken).ConfigureAwait(false);
        await context.Session.RaiseEventAsync(EventKind.Delete, new EventFacts(path.Value)).ConfigureAwait(false);
        return new FtpReply(250, $"Deleted {path}.");
    }
}
