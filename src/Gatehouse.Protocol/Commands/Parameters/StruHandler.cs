using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Parameters;

public sealed class StruHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["STRU"], "STRU F");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        ValueTask.FromResult(context.Argument.Trim().ToUpperInvariant() switch
        {
            "F" => new FtpReply(200, "Structure set to F (file)."),
            "R" or "P" => new FtpReply(504, "Only STRU F (file) is supported."),
            _ => new FtpReply(501, "Syntax: STRU F"),
        });
}
