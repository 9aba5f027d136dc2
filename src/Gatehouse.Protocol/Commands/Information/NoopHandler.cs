using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Information;

public sealed class NoopHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["NOOP"], "NOOP");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) => ValueTask.FromResult(new FtpReply(200, "NOOP ok."));
}
