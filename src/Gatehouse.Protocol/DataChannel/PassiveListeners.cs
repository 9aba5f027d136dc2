using System.Net;
using System.Net.Sockets;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Proxy;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// The passive data ports. Each reserved port listens on the control connection's local address through one
/// socket shared by every session that holds it; an arriving data connection goes to the reservation of the
/// client it comes from (after any PROXY header from Ftp:TrustedProxies) and is refused, with a log line, when
/// no session of that client waits on the port. A port stops listening when its last reservation ends.
/// </summary>
public sealed class PassiveListeners : IDisposable
{
    private const int BindAttempts = 8;
    private const int Backlog = 128;
    private readonly PassivePortPool _pool;
    private readonly PortRange? _advertised;
    private readonly NetworkList _trustedProxies;
    private readonly ILogger _logger;
    private readonly Dictionary<IPEndPoint, SharedPort> _listening = [];
    private readonly CancellationTokenSource _stop = new();

    /// <param name="advertised">Ftp:PassivePortsAdvertised: the ports clients are told, one for one with the range, when something in between maps them.</param>
    public PassiveListeners(PortRange range, PortRange? advertised, NetworkList trustedProxies, ILogger logger)
    {
        _pool = new PassivePortPool(range);
        _advertised = advertised;
        _trustedProxies = trustedProxies;
        _logger = logger;
    }

    public PortRange Range => _pool.Range;

    /// <summary>Reservations held now.</summary>
    public int Reserved => _pool.Reserved;

    /// <summary>Ports listening now.</summary>
    public int Listening
    {
        get
        {
            lock (_listening)
            {
                return _listening.Count;
            }
        }
    }

    /// <summary>Reserves a port for one data connection from <paramref name="expectation"/>'s client.</summary>
    /// <exception cref="DataChannelException">No port is free for this client, or the free ones are taken by other programs.</exception>
    public PassiveReservation Reserve(IPAddress localAddress, PassiveExpectation expectation, ILogger sessionLogger)
    {
        localAddress = Addresses.Normalize(localAddress);
        var owner = expectation.RequireSameClient ? Addresses.Normalize(expectation.Client) : null;
        for (var attempt = 0; attempt < BindAttempts; attempt++)
        {
            if (!_pool.TryReserve(owner, out var port))
            {
                Log.PassivePortsExhausted(sessionLogger, _pool.Range.ToString(), expectation.Client);
                throw new DataChannelException(
                    $"All {_pool.Range.Count} passive ports ({_pool.Range}) are busy for your address; finish other transfers or try again shortly.");
            }

            var endPoint = new IPEndPoint(localAddress, port);
            var reservation = new PassiveReservation(this, endPoint, Advertise(port), owner, expectation.Timeout, sessionLogger);
            try
            {
                Attach(reservation);
                reservation.StartTimer();
                return reservation;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // Another program holds this port; try a different one.
                _pool.Release(port, owner);
            }
            catch
            {
                _pool.Release(port, owner);
                throw;
            }
        }

        throw new DataChannelException($"Could not open a passive port in {_pool.Range}: ports are in use by other programs.");
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_listening)
        {
            foreach (var shared in _listening.Values)
            {
                shared.Socket.Dispose();
            }

            _listening.Clear();
        }

        _stop.Dispose();
    }

    /// <summary>Ends a reservation's hold on its port; false when it had already ended (delivered, timed out or released).</summary>
    internal bool Detach(PassiveReservation reservation)
    {
        lock (_listening)
        {
            return DetachLocked(reservation);
        }
    }

    private int Advertise(int port) => _advertised is { } advertised ? advertised.First + (port - _pool.Range.First) : port;

    private void Attach(PassiveReservation reservation)
    {
        lock (_listening)
        {
            if (!_listening.TryGetValue(reservation.EndPoint, out var shared))
            {
                var socket = new Socket(reservation.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    // Lets a port whose previous data connections are in TIME_WAIT listen again at once.
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    socket.Bind(reservation.EndPoint);
                    socket.Listen(Backlog);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                shared = new SharedPort(socket);
                _listening.Add(reservation.EndPoint, shared);
                _ = AcceptLoopAsync(shared, reservation.EndPoint.Port);
            }

            shared.Reservations.Add(reservation);
        }
    }

    private bool DetachLocked(PassiveReservation reservation)
    {
        if (!_listening.TryGetValue(reservation.EndPoint, out var shared) || !shared.Reservations.Remove(reservation))
        {
            return false;
        }

        if (shared.Reservations.Count == 0)
        {
            _listening.Remove(reservation.EndPoint);
            shared.Socket.Dispose();
        }

        _pool.Release(reservation.EndPoint.Port, reservation.Owner);
        return true;
    }

    private async Task AcceptLoopAsync(SharedPort shared, int port)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await shared.Socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException
                                           || (ex is SocketException socket && socket.SocketErrorCode == SocketError.OperationAborted))
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors or a connection reset while queued: this port keeps serving.
                Log.PassiveAcceptFailed(_logger, port, ex.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
                continue;
            }

            _ = DispatchAsync(shared, port, connection);
        }
    }

    private async Task DispatchAsync(SharedPort shared, int port, Socket connection)
    {
        IPEndPoint? client;
        try
        {
            client = await ProxiedClient.ResolveAsync(connection, _trustedProxies, _logger, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            client = null;
        }

        if (client is null)
        {
            connection.Dispose();
            return;
        }

        var remote = Addresses.Normalize(client.Address);
        PassiveReservation? taker;
        lock (_listening)
        {
            taker = shared.Reservations.FirstOrDefault(reservation => reservation.Owner is null || reservation.Owner.Equals(remote));
            if (taker is not null)
            {
                DetachLocked(taker);
            }
        }

        if (taker is null)
        {
            Log.ForeignDataConnection(_logger, remote, port);
            connection.Dispose();
        }
        else if (!taker.Deliver(connection))
        {
            // The session gave the reservation up (a new PASV, ABOR, logout) while this connection was arriving.
            connection.Dispose();
        }
    }

    private sealed class SharedPort(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public List<PassiveReservation> Reservations { get; } = [];
    }
}
