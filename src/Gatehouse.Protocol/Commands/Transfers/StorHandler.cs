using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>STOR, or after REST n: keep the first n bytes of the existing file and continue from there.</summary>
public sealed class StorHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["STOR"], "STOR <file>");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.Command.HasArgument)
        {
            return ValueTask.FromResult(FtpCommandContext.MissingArgument(Info.Syntax));
        }

        if (!UploadCommand.TryPrepare(context, out var path, out var refusal))
        {
            return ValueTask.FromResult(refusal);
        }

        if (!RestartOffset.TryTake(context, out var offset, out refusal))
        {
            return ValueTask.FromResult(refusal);
        }

        return UploadCommand.StartAsync(context, path, offset, offset > 0 ? $"Ready to resume {path} at offset {offset}." : $"Ready to receive {path}.");
    }
}
