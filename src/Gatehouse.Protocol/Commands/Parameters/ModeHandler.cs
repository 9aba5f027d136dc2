using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Parameters;

public sealed class ModeHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["MODE"], "MODE S");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context) =>
        ValueTask.FromResult(context.Argument.Trim().ToUpperInvariant() switch
        {
            "S" => new FtpReply(200, "Mode set to S (stream)."),
            "B" or "C" or "Z" => new FtpReply(504, "Only MODE S (stream) is supported."),
            _ => new FtpReply(501, "Syntax: MODE S"),
        });
}
