using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>ABOR: the running transfer answers 426, then ABOR answers 226 (RFC 959 order).</summary>
public sealed class AborHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["ABOR"], "ABOR");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        await context.Session.AbortTransferAsync().ConfigureAwait(false)
            ? new FtpReply(226, "ABOR successful; the transfer was stopped.")
            : new FtpReply(225, "No transfer to abort.");
}
