using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Navigation;

public sealed class CwdHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["CWD", "XCWD"], "CWD <directory>");

    public IEnumerable<string> Features(IFtpSession session) => ["TVFS"];

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        context.Command.HasArgument ? ChangeDirectoryAsync(context, context.Argument) : ValueTask.FromResult(FtpCommandContext.MissingArgument(Info.Syntax));

    internal static async ValueTask<FtpReply> ChangeDirectoryAsync(FtpCommandContext context, string target)
    {
        if (!context.TryResolve(out var path, out var refusal, target))
        {
            return refusal;
        }

        var entry = await context.FileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false);
        if (entry is not { IsDirectory: true })
        {
            return new FtpReply(550, entry is null ? $"{path} does not exist." : $"{path} is not a directory.");
        }

        context.State.CurrentDirectory = path;
        return new FtpReply(250, $"Directory changed to {path}.");
    }
}
