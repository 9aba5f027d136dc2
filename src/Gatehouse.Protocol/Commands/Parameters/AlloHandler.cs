using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Parameters;

public sealed class AlloHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["ALLO"], "ALLO <size>");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        ValueTask.FromResult(new FtpReply(202, "ALLO is not needed; storage is allocated as data arrives."));
}
