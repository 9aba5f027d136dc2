using System.Net.Sockets;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.DataConnections;

/// <summary>RFC 2428 EPSV: only a port is sent, so it needs no address rewriting and works over IPv6 and NAT alike.</summary>
public sealed class EpsvHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["EPSV"], "EPSV [1|2|ALL]");

    public IEnumerable<string> Features(IFtpSession session) => ["EPSV"];

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var argument = context.Argument.Trim().ToUpperInvariant();
        var family = context.Session.LocalEndPoint.AddressFamily == AddressFamily.InterNetwork ? "1" : "2";
        if (argument == "ALL")
        {
            context.State.EpsvOnly = true;
            return new FtpReply(200, "EPSV ALL accepted: only EPSV will be used for data connections.");
        }

        if (argument is "1" or "2" && argument != family)
        {
            return new FtpReply(522, $"Network protocol not supported for this connection, use ({family}).");
        }

        if (argument is not ("" or "1" or "2"))
        {
            return new FtpReply(501, "Syntax: EPSV, EPSV 1, EPSV 2 or EPSV ALL.");
        }

        var reservation = await context.Session.OpenPassiveAsync().ConfigureAwait(false);
        return new FtpReply(229, $"Entering Extended Passive Mode (|||{reservation.AdvertisedPort}|).");
    }
}
