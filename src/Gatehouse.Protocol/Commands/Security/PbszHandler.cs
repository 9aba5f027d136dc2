using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Security;

public sealed class PbszHandler(TlsPolicy policy) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["PBSZ"], "PBSZ 0");

    public IEnumerable<string> Features(IFtpSession session) => policy == TlsPolicy.Disabled ? [] : ["PBSZ"];

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.Session.IsControlSecure)
        {
            return ValueTask.FromResult(new FtpReply(503, "PBSZ needs a TLS control connection: send AUTH TLS first."));
        }

        if (!long.TryParse(context.Argument.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return ValueTask.FromResult(new FtpReply(501, "Syntax: PBSZ 0"));
        }

        context.State.ProtectionBufferSizeSet = true;
        return ValueTask.FromResult(new FtpReply(200, "PBSZ=0"));
    }
}
