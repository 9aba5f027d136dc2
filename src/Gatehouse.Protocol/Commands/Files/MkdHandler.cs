using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Files;

public sealed class MkdHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["MKD", "XMKD"], "MKD <directory>");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.TryResolveArgument(Info.Syntax, out var path, out var refusal, errorCode: 553))
        {
            return refusal;
        }

        await context.FileSystem.CreateDirectoryAsync(path, context.CancellationToken).ConfigureAwait(false);
        await context.Session.RaiseEventAsync(EventKind.Mkdir, new EventFacts(path.Value)).ConfigureAwait(false);
        return new FtpReply(257, $"{FtpReply.Quote(path.Value)} created.");
    }
}
