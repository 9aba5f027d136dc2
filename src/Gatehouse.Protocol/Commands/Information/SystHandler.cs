using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Information;

public sealed class SystHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["SYST"], "SYST");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        ValueTask.FromResult(new FtpReply(215, "UNIX Type: L8"));
}
