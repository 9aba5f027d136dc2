using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Login;

public sealed class AcctHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["ACCT"], "ACCT <account>");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        ValueTask.FromResult(new FtpReply(502, "ACCT is not needed on this server: USER and PASS are enough."));
}
