using System.Net;
using System.Net.Sockets;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Proxy;

/// <summary>Who a freshly accepted connection (control or passive data) is for, under Ftp:TrustedProxies.</summary>
public static class ProxiedClient
{
    /// <summary>
    /// The peer, or, from a trusted proxy, the client its PROXY header names (the proxy itself for a LOCAL header,
    /// such as a health check). Null, logged, when a trusted proxy sends no valid header in time.
    /// </summary>
    public static async Task<IPEndPoint?> ResolveAsync(Socket socket, NetworkList trustedProxies, ILogger logger, CancellationToken cancellationToken)
    {
        var peer = (IPEndPoint)socket.RemoteEndPoint!;
        var peerAddress = Addresses.Normalize(peer.Address);
        if (!trustedProxies.Contains(peerAddress))
        {
            return peer;
        }

        try
        {
            var header = await ProxyHeaderReader.ReadAsync(socket, ProxyHeaderReader.DefaultTimeout, cancellationToken).ConfigureAwait(false);
            if (header.Source is null)
            {
                return peer;
            }

            Log.ProxiedConnection(logger, peerAddress, header.Source);
            return header.Source;
        }
        catch (ProxyHeaderException ex)
        {
            Log.ProxyHeaderMissing(logger, peerAddress, ex.Message);
            return null;
        }
    }
}
