using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Security;

/// <summary>RFC 4217 explicit TLS. The session performs the handshake right after the 234 is sent.</summary>
public sealed class AuthHandler(TlsPolicy policy) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["AUTH"], "AUTH TLS");

    public IEnumerable<string> Features(IFtpSession session) =>
        policy == TlsPolicy.Disabled ? [] : ["AUTH TLS"];

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var mechanism = context.Argument.Trim().ToUpperInvariant();
        FtpReply reply = policy == TlsPolicy.Disabled
            ? new FtpReply(534, "TLS is disabled on this server (Tls:Policy is Disabled).")
            : context.Session.IsControlSecure
                ? new FtpReply(503, "TLS is already active on this connection.")
                : mechanism is "TLS" or "TLS-C" or "SSL" or "TLS-P"
                    ? new FtpReply(234, $"AUTH {mechanism} accepted; start the TLS handshake.", AfterReply.UpgradeToTls)
                    : new FtpReply(504, "Unknown security mechanism; use AUTH TLS.");
        return ValueTask.FromResult(reply);
    }
}
