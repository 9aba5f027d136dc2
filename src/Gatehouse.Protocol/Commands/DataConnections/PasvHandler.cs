using System.Net.Sockets;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.DataConnections;

/// <summary>PASV: reserve a port from the range and announce the address chosen for this client (227).</summary>
public sealed class PasvHandler(PassiveAddressSelector addresses) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["PASV"], "PASV");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var session = context.Session;
        if (session.LocalEndPoint.AddressFamily != AddressFamily.InterNetwork)
        {
            return new FtpReply(522, "PASV can only describe IPv4 addresses and this connection is IPv6: use EPSV instead.");
        }

        var (address, error) = await addresses.SelectAsync(session.ClientEndPoint.Address, session.LocalEndPoint.Address, context.CancellationToken).ConfigureAwait(false);
        if (address is null)
        {
            return new FtpReply(425, error);
        }

        var reservation = await session.OpenPassiveAsync().ConfigureAwait(false);
        var octets = address.GetAddressBytes();
        return new FtpReply(227, $"Entering Passive Mode ({octets[0]},{octets[1]},{octets[2]},{octets[3]},{reservation.AdvertisedPort >> 8},{reservation.AdvertisedPort & 0xFF}).");
    }
}
