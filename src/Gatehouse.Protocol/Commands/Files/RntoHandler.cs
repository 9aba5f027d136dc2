using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Files;

public sealed class RntoHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["RNTO"], "RNTO <path>");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        // The command states let RNTO through only right after a successful RNFR.
        var from = context.State.RenameFrom!.Value;
        if (!context.TryResolveArgument(Info.Syntax, out var to, out var refusal, errorCode: 553))
        {
            return refusal;
        }

        await context.FileSystem.RenameAsync(from, to, context.CancellationToken).ConfigureAwait(false);
        await context.Session.RaiseEventAsync(EventKind.Rename, new EventFacts(from.Value) { TargetPath = to.Value }).ConfigureAwait(false);
        return new FtpReply(250, $"Renamed {from} to {to}.");
    }
}
