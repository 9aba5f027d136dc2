using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Transfers;

public sealed class AppeHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["APPE"], "APPE <file>");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.Command.HasArgument)
        {
            return FtpCommandContext.MissingArgument(Info.Syntax);
        }

        if (!UploadCommand.TryPrepare(context, out var path, out var refusal))
        {
            return refusal;
        }

        context.State.RestartOffset = 0;
        var existing = await context.FileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false);
        return await UploadCommand.StartAsync(context, path, existing?.Size ?? 0, $"Ready to append to {path}.").ConfigureAwait(false);
    }
}
