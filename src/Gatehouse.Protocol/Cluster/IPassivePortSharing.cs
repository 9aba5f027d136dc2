using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// Passive ports shared with the other nodes of a cluster, behind a balancer that may send a data connection to
/// any node: a port is promised to a client cluster-wide before it is announced, and a data connection that no
/// session of this node waits for is passed to the node that promised it. What <see cref="SharedPassiveRange"/> asks
/// of the other nodes; <see cref="ClusterPortSharing"/> does it through the shared store.
/// </summary>
public interface IPassivePortSharing
{
    /// <summary>Whether this node may promise <paramref name="port"/> to <paramref name="client"/> at all (its share of the range).</summary>
    bool IsOurs(int port, IPAddress client);

    /// <returns>False when another node (or this one) has already promised <paramref name="port"/> to <paramref name="client"/>.</returns>
    /// <exception cref="DataChannel.DataChannelException">No promise can be made now; the message is for the client.</exception>
    Task<bool> ClaimAsync(int port, IPAddress client, string token, CancellationToken cancellationToken);

    /// <summary>Withdraws a promise; runs in the background, failures are logged and cleaned up later.</summary>
    void Release(int port, IPAddress client, string token);

    /// <summary>Passes <paramref name="connection"/> to the node waiting for it, and relays it until it ends.</summary>
    /// <returns>False when no other node waits for this client on this port: the caller refuses the connection.</returns>
    Task<bool> ForwardAsync(Socket connection, IPEndPoint client, int port, CancellationToken cancellationToken);
}
