using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Files;

public sealed class RmdHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["RMD", "XRMD"], "RMD <directory>");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.TryResolveArgument(Info.Syntax, out var path, out var refusal))
        {
            return refusal;
        }

        await context.FileSystem.RemoveDirectoryAsync(path, context.CancellationToken).ConfigureAwait(false);
        await context.Session.RaiseEventAsync(EventKind.Rmdir, new EventFacts(path.Value)).ConfigureAwait(false);
        return new FtpReply(250, $"Removed {path}.");
    }
}
