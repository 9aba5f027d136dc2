using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Where <see cref="PassiveListeners"/> passes a data connection that no reservation of this node waits for, instead of
/// refusing it: the cluster's shared range (Cluster/SharedPassiveRange.cs) relays it to the node that does.
/// </summary>
internal interface IUnmatchedDataConnections
{
    /// <param name="client">The connection's client, after any PROXY header; IPv4-mapped addresses are plain IPv4.</param>
    /// <returns>False when nothing here takes it either: the listener refuses it (logs and closes it).</returns>
    Task<bool> TakeAsync(Socket connection, IPEndPoint client, int port, CancellationToken cancellationToken);
}
