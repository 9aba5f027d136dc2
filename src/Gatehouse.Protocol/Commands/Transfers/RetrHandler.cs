using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Transfers;

public sealed class RetrHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["RETR"], "RETR <file>");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.Command.HasArgument)
        {
            return FtpCommandContext.MissingArgument(Info.Syntax);
        }

        if (!context.Session.CanStartTransfer(out var refusal) || !context.TryResolve(out var path, out refusal))
        {
            context.State.RestartOffset = 0;
            return refusal;
        }

        if (!RestartOffset.TryTake(context, out var offset, out refusal))
        {
            return refusal;
        }

        var content = await context.FileSystem.OpenReadAsync(path, offset, context.CancellationToken).ConfigureAwait(false);
        var ascii = context.State.Type == TransferType.Ascii;
        var size = content.Length;
        var throttle = context.Session.Throttle(TransferDirection.Outgoing);
        return context.Session.StartTransfer(new TransferRequest(
            $"Opening {(ascii ? "ASCII" : "BINARY")} mode data connection for {path} ({size} bytes{(offset > 0 ? $", from offset {offset}" : string.Empty)}).",
            async (data, progress, cancellationToken) =>
            {
                await TransferCopier.CopyToNetworkAsync(content, data, ascii, progress, throttle, cancellationToken).ConfigureAwait(false);
                return new FtpReply(226, "Transfer complete.");
            },
            content,
            new FileTransferRecord(path.Value, TransferDirection.Outgoing, ascii, ascii || !content.CanSeek ? null : size - content.Position)));
    }
}
