using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Information;

/// <summary>RFC 7151. Accepted before login; there is one virtual host for now, so any name is served the same.</summary>
public sealed class HostHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["HOST"], "HOST <domain>");

    public IEnumerable<string> Features(IFtpSession session) => ["HOST"];

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (context.State.IsLoggedIn || context.State.PendingUser is not null)
        {
            return ValueTask.FromResult(new FtpReply(503, "HOST must come before USER."));
        }

        var host = context.Argument.Trim();
        if (host.Length == 0 || Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            return ValueTask.FromResult(new FtpReply(501, "Syntax: HOST <domain name or IP address>"));
        }

        context.State.Host = host;
        return ValueTask.FromResult(new FtpReply(220, "Host accepted."));
    }
}
