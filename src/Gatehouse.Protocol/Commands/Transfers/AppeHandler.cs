using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>APPE: the data follows the existing file, or, when no file holds the name, the user's interrupted upload kept for resuming.</summary>
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
        var keep = existing?.Size ?? await context.FileSystem.GetPartialUploadSizeAsync(path, context.CancellationToken).ConfigureAwait(false) ?? 0;
        return await UploadCommand.StartAsync(context, path, keep, $"Ready to append to {path}.").ConfigureAwait(false);
    }
}
