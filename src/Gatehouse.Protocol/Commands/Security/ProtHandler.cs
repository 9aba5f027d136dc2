using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Security;

public sealed class ProtHandler(TlsPolicy policy) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["PROT"], "PROT P|C");

    public IEnumerable<string> Features(IFtpSession session) => policy == TlsPolicy.Disabled ? [] : ["PROT"];

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var state = context.State;
        FtpReply reply;
        if (!context.Session.IsControlSecure)
        {
            reply = new FtpReply(503, "PROT needs a TLS control connection: send AUTH TLS first.");
        }
        else if (!state.ProtectionBufferSizeSet)
        {
            reply = new FtpReply(503, "Send PBSZ 0 before PROT.");
        }
        else
        {
            switch (context.Argument.Trim().ToUpperInvariant())
            {
                case "P":
                    state.Protection = DataProtection.Private;
                    reply = new FtpReply(200, "Data connections will be encrypted.");
                    break;
                case "C" when DataChannelPolicy.ClearDataRefusal(policy) is { } refusal:
                    reply = refusal;
                    break;
                case "C":
                    state.Protection = DataProtection.Clear;
                    reply = new FtpReply(200, "Data connections will be in clear text.");
                    break;
                case "S" or "E":
                    reply = new FtpReply(536, "Only PROT P (private) and PROT C (clear) are supported.");
                    break;
                default:
                    reply = new FtpReply(504, "Syntax: PROT P or PROT C.");
                    break;
            }
        }

        return ValueTask.FromResult(reply);
    }
}
