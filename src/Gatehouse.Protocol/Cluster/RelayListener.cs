using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// Cluster:RelayPort: takes the data connections other nodes received for this node's sessions. A connection must
/// start with a <see cref="RelayHeader"/> naming a claim this node holds (its token is only in the shared store), or
/// with a <see cref="SignedRelayHeader"/> signed with this node's key (also only in the store), or it is closed with a
/// log line; the rest of it goes to the waiting session as its data connection.
/// </summary>
public sealed class RelayListener(SharedPassiveRange range, SignedRelayHeader signatures, ListenPort port, ILogger logger) : IDisposable
{
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(5);
    private Socket? _socket;

    public EndPoint EndPoint => _socket?.LocalEndPoint ?? port.EndPoint;

    /// <exception cref="InvalidOperationException">The port cannot be opened; the message names the settings.</exception>
    public void Start(CancellationToken stoppingToken)
    {
        _socket = port.Open(backlog: 128);
        _ = AcceptLoopAsync(_socket, stoppingToken);
    }

    public void Dispose() => _socket?.Dispose();

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stoppingToken)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException
                                           || (ex is SocketException socket && socket.SocketErrorCode == SocketError.OperationAborted))
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = TakeAsync(connection, stoppingToken);
        }
    }

    private async Task TakeAsync(Socket connection, CancellationToken stoppingToken)
    {
        var peer = connection.RemoteEndPoint!;
        var header = new byte[Math.Max(RelayHeader.Length, SignedRelayHeader.Length)];
        string refusal;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(HeaderTimeout);
            await ReadAsync(connection, header.AsMemory(0, RelayHeader.Length), timeout.Token).ConfigureAwait(false);
            if (RelayHeader.TryRead(header.AsSpan(0, RelayHeader.Length), out var token, out var client, out var port))
            {
                refusal = range.TryDeliverRelayed(token, client, port, connection)
                    ? string.Empty
                    : $"no session here waits for {client.Address} on passive port {port} under that claim (it ended, timed out, or the claim is forged)";
            }
            else if (header.AsSpan(0, SignedRelayHeader.Magic.Length).SequenceEqual(SignedRelayHeader.Magic))
            {
                await ReadAsync(connection, header.AsMemory(RelayHeader.Length, SignedRelayHeader.Length - RelayHeader.Length), timeout.Token).ConfigureAwait(false);
                refusal = !signatures.TryRead(header.AsSpan(0, SignedRelayHeader.Length), out client, out port, out var invalid) ? invalid
                    : range.TryDeliverSigned(client, port, connection) ? string.Empty
                    : $"no session here waits for {client.Address} on passive port {port} (it ended or timed out, or no session was told that port: possible data theft)";
            }
            else
            {
                refusal = "no valid relay header (is something other than a Gatehouse node connecting to Cluster:RelayPort?)";
            }

            if (refusal.Length == 0)
            {
                Log.RelayedDataConnectionArrived(logger, client, port, peer);
                return;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            refusal = $"no relay header within {HeaderTimeout.TotalSeconds:0}s";
        }

        Log.RelayRefused(logger, peer, refusal);
        connection.Dispose();
    }

    /// <summary>Fills <paramref name="buffer"/>; a connection that ends first leaves the rest zero, which no header reads as valid.</summary>
    private static async Task ReadAsync(Socket connection, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var got = await connection.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (got == 0)
            {
                return;
            }

            read += got;
        }
    }
}
