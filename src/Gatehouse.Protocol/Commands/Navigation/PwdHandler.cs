using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Navigation;

public sealed class PwdHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["PWD", "XPWD"], "PWD");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        ValueTask.FromResult(new FtpReply(257, $"{FtpReply.Quote(context.State.CurrentDirectory.Value)} is the current directory."));
}
