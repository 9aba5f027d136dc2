using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Login;

public sealed class QuitHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["QUIT"], "QUIT");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        ValueTask.FromResult(new FtpReply(221, "Goodbye.", AfterReply.Close));
}
