using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Security;

/// <summary>
/// A PROXY protocol header read as a command: it came from a peer that Ftp:TrustedProxies does not list (trusted
/// balancers' headers are consumed before the banner). Honouring it would let anyone choose their address.
/// </summary>
public sealed class ProxyHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["PROXY"], "PROXY (a load balancer's header; accepted only from Ftp:TrustedProxies, before the banner)");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        Log.UntrustedProxyHeader(context.Session.Logger, context.Session.ClientEndPoint.Address);
        return ValueTask.FromResult(new FtpReply(421, "PROXY headers are accepted only from trusted load balancers.", AfterReply.Close));
    }
}
