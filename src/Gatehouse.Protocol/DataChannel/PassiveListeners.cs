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
/// In a cluster that shares its passive range (<see cref="IPassivePortSharing"/>), every port listens all the time,
/// each reservation is also claimed cluster-wide, and a connection no local session waits for goes to the node
/// that claimed it; that node's relay hands it back here by the claim's token (<see cref="TryDeliverRelayed"/>).
/// </summary>
public sealed class PassiveListeners : IDisposable
{
    private const int BindAttempts = 8;

    /// <summary>Ports tried when other nodes hold the first picks for the same client.</summary>
    private const int ClaimAttempts = 16;
    private const int Backlog = 128;
    private readonly PassivePortPool _pool;
    private readonly PortRange? _advertised;
    private readonly NetworkList _trustedProxies;
    private readonly ILogger _logger;
    private readonly IPassivePortSharing? _sharing;
    private readonly Dictionary<IPEndPoint, SharedPort> _listening = [];
    private readonly Dictionary<string, PassiveReservation> _claimed = new(StringComparer.Ordinal);
    private readonly List<IPAddress> _permanentAddresses = [];
    private readonly CancellationTokenSource _stop = new();

    /// <param name="advertised">Ftp:PassivePortsAdvertised: the ports clients are told, one for one with the range, when something in between maps them.</param>
    /// <param name="sharing">The cluster's shared range (Cluster:RelayPort set), or null when this node's range is its own.</param>
    public PassiveListeners(PortRange range, PortRange? advertised, NetworkList trustedProxies, ILogger logger, IPassivePortSharing? sharing = null)
    {
        _pool = new PassivePortPool(range);
        _advertised = advertised;
        _trustedProxies = trustedProxies;
        _logger = logger;
        _sharing = sharing;
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

    /// <summary>
    /// Opens every port of the range on <paramref name="addresses"/> for good, because a balancer may bring any node a
    /// data connection on any port.
    /// </summary>
    /// <exception cref="InvalidOperationException">A port is taken by another program; the message names the range to change.</exception>
    public void ListenOnWholeRange(IReadOnlyList<IPAddress> addresses, bool dualMode)
    {
        lock (_listening)
        {
            foreach (var address in addresses)
            {
                _permanentAddresses.Add(address);
                for (var port = _pool.Range.First; port <= _pool.Range.Last; port++)
                {
                    var endPoint = new IPEndPoint(address, port);
                    try
                    {
                        OpenLocked(endPoint, dualMode).Permanent = true;
                    }
                    catch (SocketException ex)
                    {
                        throw new InvalidOperationException(
                            $"Cannot listen on passive port {endPoint}: {ex.Message}. With Cluster:RelayPort set, every port of Ftp:PassivePorts must be free; choose a range no other program uses.", ex);
                    }
                }
            }
        }
    }

    /// <summary>Reserves a port for one data connection from <paramref name="expectation"/>'s client.</summary>
    /// <exception cref="DataChannelException">No port is free for this client, or the free ones are taken by other programs.</exception>
    public async Task<PassiveReservation> ReserveAsync(IPAddress localAddress, PassiveExpectation expectation, ILogger sessionLogger, CancellationToken cancellationToken)
    {
        localAddress = ListeningAddress(Addresses.Normalize(localAddress));
        var owner = expectation.RequireSameClient ? Addresses.Normalize(expectation.Client) : null;
        var attempts = _sharing is null ? BindAttempts : ClaimAttempts;
        var promisedElsewhere = new List<int>();
        try
        {
            for (var attempt = 0; attempt < attempts; attempt++)
            {
                if (!_pool.TryReserve(owner, out var port))
                {
                    throw Exhausted(expectation, sessionLogger);
                }

                var token = await ClaimAsync(port, owner, cancellationToken).ConfigureAwait(false);
                if (token is null)
                {
                    // Another node promised this port to the same client; held back until the loop ends, so the next pick differs.
                    promisedElsewhere.Add(port);
                    continue;
                }

                var endPoint = new IPEndPoint(localAddress, port);
                var reservation = new PassiveReservation(this, endPoint, Advertise(port), owner, token, expectation.Timeout, sessionLogger);
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
                    ReleaseClaim(reservation);
                }
                catch
                {
                    _pool.Release(port, owner);
                    ReleaseClaim(reservation);
                    throw;
                }
            }
        }
        finally
        {
            foreach (var port in promisedElsewhere)
            {
                _pool.Release(port, owner);
            }
        }

        if (_sharing is not null)
        {
            throw Exhausted(expectation, sessionLogger);
        }

        throw new DataChannelException($"Could not open a passive port in {_pool.Range}: ports are in use by other programs.");
    }

    /// <summary>A data connection another node relayed here for the reservation that claimed <paramref name="token"/>.</summary>
    /// <returns>False when no reservation of this node holds that claim for that client and port.</returns>
    public bool TryDeliverRelayed(string token, IPEndPoint client, int port, Socket connection)
    {
        PassiveReservation? taker;
        lock (_listening)
        {
            if (!_claimed.TryGetValue(token, out taker) || taker.Port != port || !DataChannelPolicy.MayTakePassivePort(taker.Owner, client.Address))
            {
                return false;
            }

            DetachLocked(taker);
        }

        if (!taker.Deliver(connection))
        {
            connection.Dispose();
        }

        return true;
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_listening)
        {
            foreach (var shared in _listening.Values)
            {
                shared.Close();
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

    private DataChannelException Exhausted(PassiveExpectation expectation, ILogger sessionLogger)
    {
        Log.PassivePortsExhausted(sessionLogger, _pool.Range.ToString(), expectation.Client);
        return new DataChannelException($"All {_pool.Range.Count} passive ports ({_pool.Range}) are busy for your address; finish other transfers or try again shortly.");
    }

    /// <summary>The address the reservation's port listens on: the control connection's, or the permanent listener's that takes it.</summary>
    private IPAddress ListeningAddress(IPAddress local)
    {
        lock (_listening)
        {
            if (_permanentAddresses.Count == 0)
            {
                return local;
            }

            return _permanentAddresses.FirstOrDefault(local.Equals)
                ?? _permanentAddresses.FirstOrDefault(address => address.Equals(IPAddress.IPv6Any) || (address.Equals(IPAddress.Any) && local.AddressFamily == AddressFamily.InterNetwork))
                ?? _permanentAddresses[0];
        }
    }

    /// <returns>The claim's token (empty without a cluster), or null when the port is promised elsewhere.</returns>
    private async Task<string?> ClaimAsync(int port, IPAddress? owner, CancellationToken cancellationToken)
    {
        if (_sharing is null || owner is null)
        {
            return string.Empty;
        }

        var token = Guid.NewGuid().ToString("N");
        return await _sharing.ClaimAsync(port, owner, token, cancellationToken).ConfigureAwait(false) ? token : null;
    }

    private void ReleaseClaim(PassiveReservation reservation)
    {
        if (_sharing is not null && reservation is { Owner: { } owner, ClaimToken.Length: > 0 })
        {
            _sharing.Release(reservation.Port, owner, reservation.ClaimToken);
        }
    }

    private void Attach(PassiveReservation reservation)
    {
        lock (_listening)
        {
            if (!_listening.TryGetValue(reservation.EndPoint, out var shared))
            {
                shared = OpenLocked(reservation.EndPoint, dualMode: false);
            }

            shared.Reservations.Add(reservation);
            if (reservation.ClaimToken.Length > 0)
            {
                _claimed.Add(reservation.ClaimToken, reservation);
            }
        }
    }

    private SharedPort OpenLocked(IPEndPoint endPoint, bool dualMode)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (dualMode && endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = true;
            }

            // Lets a port whose previous data connections are in TIME_WAIT listen again at once.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var shared = new SharedPort(socket);
        _listening.Add(endPoint, shared);
        _ = AcceptLoopAsync(shared, endPoint.Port);
        return shared;
    }

    private bool DetachLocked(PassiveReservation reservation)
    {
        if (!_listening.TryGetValue(reservation.EndPoint, out var shared) || !shared.Reservations.Remove(reservation))
        {
            return false;
        }

        if (shared.Reservations.Count == 0 && !shared.Permanent)
        {
            _listening.Remove(reservation.EndPoint);
            shared.Close();
        }

        _pool.Release(reservation.EndPoint.Port, reservation.Owner);
        if (reservation.ClaimToken.Length > 0)
        {
            _claimed.Remove(reservation.ClaimToken);
            ReleaseClaim(reservation);
        }

        return true;
    }

    private async Task AcceptLoopAsync(SharedPort shared, int port)
    {
        // Usually the connection just dispatched ended the port's last reservation and closed it: stopping here
        // spares an accept on a closed socket and the exception it throws, once per passive transfer.
        while (!shared.IsClosed)
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
            taker = shared.Reservations.FirstOrDefault(reservation => DataChannelPolicy.MayTakePassivePort(reservation.Owner, remote));
            if (taker is not null)
            {
                DetachLocked(taker);
            }
        }

        if (taker is null)
        {
            if (!await ForwardAsync(connection, client, port).ConfigureAwait(false))
            {
                Log.ForeignDataConnection(_logger, remote, port);
                connection.Dispose();
            }
        }
        else if (!taker.Deliver(connection))
        {
            // The session gave the reservation up (a new PASV, ABOR, logout) while this connection was arriving.
            connection.Dispose();
        }
    }

    /// <returns>False when no other node waits for it either.</returns>
    private async Task<bool> ForwardAsync(Socket connection, IPEndPoint client, int port)
    {
        if (_sharing is null)
        {
            return false;
        }

        try
        {
            return await _sharing.ForwardAsync(connection, new IPEndPoint(Addresses.Normalize(client.Address), client.Port), port, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    private sealed class SharedPort(Socket socket)
    {
        private volatile bool _closed;

        public Socket Socket { get; } = socket;

        public bool IsClosed => _closed;

        /// <summary>Listens whether or not a reservation holds it (a cluster's shared range).</summary>
        public bool Permanent { get; set; }

        public List<PassiveReservation> Reservations { get; } = [];

        public void Close()
        {
            _closed = true;
            Socket.Dispose();
        }
    }
}
