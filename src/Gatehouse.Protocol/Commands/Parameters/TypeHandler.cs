using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Parameters;

/// <summary>TYPE A and A N (ASCII, non-print), I and L 8 (binary). Telnet and carriage-control formats are not supported.</summary>
public sealed class TypeHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["TYPE"], "TYPE A|I|L 8");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var words = context.Argument.ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        FtpReply reply;
        switch (words)
        {
            case ["A"] or ["A", "N"]:
                context.State.Type = TransferType.Ascii;
                reply = new FtpReply(200, "Type set to A (ASCII).");
                break;
            case ["I"] or ["L", "8"]:
                context.State.Type = TransferType.Binary;
                reply = new FtpReply(200, "Type set to I (binary).");
                break;
            case ["A" or "E", ..] or ["E"] or ["L", ..]:
                reply = new FtpReply(504, "Only TYPE A, A N, I and L 8 are supported.");
                break;
            default:
                reply = new FtpReply(501, "Syntax: TYPE A|I|L 8");
                break;
        }

        return ValueTask.FromResult(reply);
    }
}
