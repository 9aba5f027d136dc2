using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Navigation;

public sealed class CdupHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["CDUP", "XCUP"], "CDUP");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) => CwdHandler.ChangeDirectoryAsync(context, "..");
}
