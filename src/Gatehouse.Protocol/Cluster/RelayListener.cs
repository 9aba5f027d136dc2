using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// Cluster:RelayPort: takes the data connections other nodes received for this node's sessions. A connection must
/// start with a <see cref="RelayHeader"/> naming a claim this node holds (its token is only in the shared store), or
/// it is closed with a log line; the rest of it goes to the waiting session as its data connection.
/// </summary>
public sealed class RelayListener(SharedPassiveRange range, ListenPort port, ILogger logger) : IDisposable
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
        var header = new byte[RelayHeader.Length];
        string refusal;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(HeaderTimeout);
            for (var read = 0; read < header.Length;)
            {
                var got = await connection.ReceiveAsync(header.AsMemory(read), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (got == 0)
                {
                    break;
                }

                read += got;
            }

            if (!RelayHeader.TryRead(header, out var token, out var client, out var port))
            {
                refusal = "no valid relay header (is something other than a Gatehouse node connecting to Cluster:RelayPort?)";
            }
            else if (range.TryDeliverRelayed(token, client, port, connection))
            {
                Log.RelayedDataConnectionArrived(logger, client, port, peer);
                return;
            }
            else
            {
                refusal = $"no session here waits for {client.Address} on passive port {port} under that claim (it ended, timed out, or the claim is forged)";
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            refusal = $"no relay header within {HeaderTimeout.TotalSeconds:0}s";
        }

        Log.RelayRefused(logger, peer, refusal);
        connection.Dispose();
    }
}
