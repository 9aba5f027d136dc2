using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// The passive range shared by every node (Cluster:RelayPort): claims go through the shared store, and a data
/// connection for another node's session is relayed to that node's relay port. The relay costs this node one extra
/// connection and a copy of every byte in both directions (measured in docs/cluster.md); TLS stays end to end between the
/// client and the owner.
/// </summary>
public sealed class ClusterPortSharing(IClusterStore registry, ILogger logger) : IPassivePortSharing
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public async Task<bool> ClaimAsync(int port, IPAddress client, string token, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.ClaimPortAsync(port, client.ToString(), token, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            Log.ClusterStoreFailed(logger, $"claim passive port {port}", ex.Message);
            throw new DataChannelException("The cluster's shared store cannot be reached to reserve a passive port; try again shortly.");
        }
    }

    public void Release(int port, IPAddress client, string token) => _ = ReleaseAsync(port, client, token);

    public async Task<bool> ForwardAsync(Socket connection, IPEndPoint client, int port, CancellationToken cancellationToken)
    {
        PassiveClaim? claim;
        try
        {
            claim = await registry.FindClaimAsync(port, client.Address.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            Log.ClusterStoreFailed(logger, $"find the node waiting on passive port {port}", ex.Message);
            return false;
        }

        if (claim is null || claim.NodeId == registry.NodeId || claim.RelayEndPoint is null || !IPEndPoint.TryParse(claim.RelayEndPoint, out var relay))
        {
            return false;
        }

        Log.DataConnectionRelayed(logger, client, port, claim.NodeName, claim.RelayEndPoint);
        var owner = new Socket(relay.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(ConnectTimeout);
                await owner.ConnectAsync(relay, timeout.Token).ConfigureAwait(false);
                await owner.SendAsync(RelayHeader.Write(claim.Token, client, port), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Log.RelayFailed(logger, client, port, claim.NodeName, claim.RelayEndPoint, ex is OperationCanceledException ? $"no connection within {ConnectTimeout.TotalSeconds:0}s" : ex.Message);
            owner.Dispose();
            connection.Dispose();
            return true;
        }

        await ByteRelay.RunAsync(connection, owner, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task ReleaseAsync(int port, IPAddress client, string token)
    {
        try
        {
            await registry.ReleasePortAsync(port, client.ToString(), token, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            // The heartbeat deletes this node's claims once they are older than any reservation can be.
            Log.ClusterStoreFailed(logger, $"release passive port {port}", ex.Message);
        }
    }
}
