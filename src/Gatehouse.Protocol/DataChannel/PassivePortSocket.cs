using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// The listening socket of one passive port on one address, shared by every reservation that holds the port: it
/// accepts until closed and hands each connection to <see cref="PassiveListeners"/>, which matches it to a reservation.
/// </summary>
internal sealed class PassivePortSocket
{
    private const int Backlog = 128;
    private readonly Socket _socket;
    private volatile bool _closed;
    private int _dispatching;

    private PassivePortSocket(Socket socket, int port)
    {
        _socket = socket;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Listens whether or not a reservation holds it (<see cref="PassiveListeners.ListenForGood"/>).</summary>
    public bool Permanent { get; set; }

    /// <summary>The reservations waiting on this port, one per client address (or one for any address).</summary>
    public List<PassiveReservation> Reservations { get; } = [];

    /// <summary>Listens on the port for this process alone: one another program holds is never shared (<see cref="ExclusiveListener"/>).</summary>
    /// <exception cref="SocketException">The port cannot be bound, usually because another program holds it.</exception>
    /// <param name="maxSegmentSize">TCP_MAXSEG of the data connections it accepts (<see cref="TcpSegmentSize"/>); 0: the system's choice.</param>
    public static PassivePortSocket Open(IPEndPoint endPoint, bool dualMode, int maxSegmentSize) =>
        new(ExclusiveListener.Open(endPoint, dualMode, Backlog, maxSegmentSize), endPoint.Port);

    /// <summary>Accepts until the socket closes or <paramref name="stop"/> fires, giving each connection to <paramref name="dispatch"/>.</summary>
    public async Task AcceptLoopAsync(Action<PassivePortSocket, Socket> dispatch, ILogger logger, CancellationToken stop)
    {
        // Usually the connection just dispatched ended the port's last reservation and closed it: stopping here
        // spares an accept on a closed socket and the exception it throws, once per passive transfer.
        while (!_closed)
        {
            Socket connection;
            try
            {
                connection = await _socket.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException
                                           || (ex is SocketException socket && socket.SocketErrorCode == SocketError.OperationAborted))
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors or a connection reset while queued: this port keeps serving.
                Log.PassiveAcceptFailed(logger, Port, ex.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref _dispatching);
            dispatch(this, connection);
        }
    }

    /// <summary>Called once a connection handed to the dispatcher has been matched (or refused).</summary>
    public void Dispatched() => Interlocked.Decrement(ref _dispatching);

    /// <summary>No connection waits in the kernel's queue or is still being matched: every one that reached the port so far has been seen.</summary>
    public bool Settled()
    {
        if (_closed)
        {
            return true;
        }

        if (Volatile.Read(ref _dispatching) > 0)
        {
            return false;
        }

        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    public void Close()
    {
        _closed = true;
        _socket.Dispose();
    }
}
