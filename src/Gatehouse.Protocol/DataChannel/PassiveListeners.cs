using System.Net;
using System.Net.Sockets;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Proxy;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// The passive data ports of this node. Each reserved port listens on the control connection's local address through
/// one socket shared by every session that holds it; an arriving data connection goes to the reservation of the
/// client it comes from (after any PROXY header from Ftp:TrustedProxies) and is refused, with a log line, when
/// no session of that client waits on the port. A port stops listening when its last reservation ends.
/// A cluster that shares one passive range (Cluster:RelayPort) wraps this in Cluster/SharedPassiveRange.cs, which
/// builds on the internal steps below; a single node uses only <see cref="ReserveAsync"/>.
/// </summary>
public sealed class PassiveListeners : IPassivePorts
{
    private readonly PassivePortPool _pool;
    private readonly PortRange? _advertised;
    private readonly int _maxSegmentSize;
    private readonly NetworkList _trustedProxies;
    private readonly ILogger _logger;
    private readonly IUnmatchedDataConnections? _unmatched;
    private readonly Dictionary<IPEndPoint, PassivePortSocket> _listening = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Taken before <see cref="Dispose"/> disposes <see cref="_stop"/>, so it stays usable (cancelled) after.</summary>
    private readonly CancellationToken _stopping;

    /// <param name="advertised">Ftp:PassivePortsAdvertised: the ports clients are told, one for one with the range, when something in between maps them.</param>
    /// <param name="maxSegmentSize">Ftp:MaxSegmentSize: TCP_MAXSEG of every data connection accepted (<see cref="TcpSegmentSize"/>); 0: the system's choice.</param>
    public PassiveListeners(PortRange range, PortRange? advertised, NetworkList trustedProxies, ILogger logger, int maxSegmentSize = 0)
        : this(range, advertised, trustedProxies, logger, unmatched: null, maxSegmentSize)
    {
    }

    /// <param name="unmatched">Takes the data connections no reservation here waits for; without it they are refused.</param>
    internal PassiveListeners(PortRange range, PortRange? advertised, NetworkList trustedProxies, ILogger logger, IUnmatchedDataConnections? unmatched, int maxSegmentSize)
    {
        _maxSegmentSize = maxSegmentSize;
        _pool = new PassivePortPool(range);
        _advertised = advertised;
        _trustedProxies = trustedProxies;
        _logger = logger;
        _unmatched = unmatched;
        _stopping = _stop.Token;
    }

    public PortRange Range => _pool.Range;

    public int Reserved => _pool.Reserved;

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

    public Task<PassiveReservation> ReserveAsync(IPAddress localAddress, PassiveExpectation expectation, ILogger sessionLogger, CancellationToken cancellationToken)
    {
        localAddress = Addresses.Normalize(localAddress);

        // Every free port is tried once before the client is refused: where the range lies inside the kernel's range
        // of ports for outgoing connections, this machine's own connections (webhooks, the database, a local client)
        // hold some of its ports at any time.
        var heldElsewhere = new HashSet<int>();
        while (TryPickPort(expectation, out var port, heldElsewhere.Count == 0 ? null : candidate => !heldElsewhere.Contains(candidate)))
        {
            if (TryListen(new IPEndPoint(localAddress, port), expectation, sessionLogger, ended: null) is { } reservation)
            {
                return Task.FromResult(reservation);
            }

            heldElsewhere.Add(port);
        }

        if (heldElsewhere.Count == 0)
        {
            throw Exhausted(expectation, sessionLogger);
        }

        Log.PassivePortsHeldElsewhere(sessionLogger, _pool.Range.ToString(), heldElsewhere.Count);
        throw new DataChannelException($"Could not open a passive port in {_pool.Range}: ports are in use by other programs.");
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

    /// <summary>Step 1 of a reservation: a port of the pool free for the expected client, held until listened on or returned.</summary>
    internal bool TryPickPort(PassiveExpectation expectation, out int port, Func<int, bool>? eligible = null) => _pool.TryReserve(expectation.Owner, out port, eligible);

    /// <summary>Gives back a port picked by <see cref="TryPickPort"/> and not listened on.</summary>
    internal void ReturnPort(int port, PassiveExpectation expectation) => _pool.Release(port, expectation.Owner);

    /// <summary>Step 2 of a reservation: listens for it on the picked port and starts its time-out.</summary>
    /// <param name="ended">Called once when the reservation ends (its connection taken, timed out or released), inside this object's lock.</param>
    /// <returns>Null when another program holds the port; it is back in the pool.</returns>
    internal PassiveReservation? TryListen(IPEndPoint endPoint, PassiveExpectation expectation, ILogger sessionLogger, Action? ended)
    {
        var reservation = new PassiveReservation(this, endPoint, Advertise(endPoint.Port), expectation.Owner, expectation.Timeout, sessionLogger, ended);
        try
        {
            Attach(reservation);
            reservation.StartTimer();
            return reservation;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Another program holds this port; the caller tries a different one.
            _pool.Release(endPoint.Port, reservation.Owner);
            return null;
        }
        catch
        {
            _pool.Release(endPoint.Port, reservation.Owner);
            throw;
        }
    }

    /// <summary>The refusal when every port is taken for the expected client; logged.</summary>
    internal DataChannelException Exhausted(PassiveExpectation expectation, ILogger sessionLogger)
    {
        Log.PassivePortsExhausted(sessionLogger, _pool.Range.ToString(), expectation.Client);
        return new DataChannelException($"All {_pool.Range.Count} passive ports ({_pool.Range}) are busy for your address; finish other transfers or try again shortly.");
    }

    /// <summary>Listens on <paramref name="endPoint"/> until disposed, whether or not a reservation holds its port.</summary>
    /// <exception cref="SocketException">Another program holds the port.</exception>
    internal void ListenForGood(IPEndPoint endPoint, bool dualMode)
    {
        lock (_listening)
        {
            OpenLocked(endPoint, dualMode).Permanent = true;
        }
    }

    /// <summary>Gives <paramref name="connection"/> from <paramref name="client"/> to <paramref name="reservation"/> as if it had arrived on its port.</summary>
    /// <returns>False when the reservation had already ended; the connection is then still the caller's.</returns>
    internal bool TryHandOver(PassiveReservation reservation, Socket connection, IPEndPoint client)
    {
        bool taken;
        lock (_listening)
        {
            if (!_listening.TryGetValue(reservation.EndPoint, out var shared) || !shared.Reservations.Contains(reservation))
            {
                return false;
            }

            taken = reservation.TryTake(client);
        }

        Admit(reservation, taken, connection, client);
        return true;
    }

    /// <summary>Ends a reservation's hold on its port; false when it had already ended (released or timed out).</summary>
    internal bool Detach(PassiveReservation reservation)
    {
        lock (_listening)
        {
            return DetachLocked(reservation);
        }
    }

    /// <summary>As <see cref="Detach"/>, only while no connection has taken the reservation (its time-out).</summary>
    internal bool DetachWaiting(PassiveReservation reservation)
    {
        lock (_listening)
        {
            return reservation.TakenBy is null && DetachLocked(reservation);
        }
    }

    private int Advertise(int port) => _advertised is { } advertised ? advertised.First + (port - _pool.Range.First) : port;

    private void Attach(PassiveReservation reservation)
    {
        lock (_listening)
        {
            if (!_listening.TryGetValue(reservation.EndPoint, out var shared))
            {
                shared = OpenLocked(reservation.EndPoint, dualMode: false);
            }

            shared.Reservations.Add(reservation);
        }
    }

    private PassivePortSocket OpenLocked(IPEndPoint endPoint, bool dualMode)
    {
        var shared = PassivePortSocket.Open(endPoint, dualMode, _maxSegmentSize);
        _listening.Add(endPoint, shared);
        _ = shared.AcceptLoopAsync(Dispatch, _logger, _stopping);
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
        reservation.NotifyEnded();
        return true;
    }

    private void Dispatch(PassivePortSocket shared, Socket connection) => _ = DispatchCountedAsync(shared, connection);

    private async Task DispatchCountedAsync(PassivePortSocket shared, Socket connection)
    {
        try
        {
            await DispatchAsync(shared, connection).ConfigureAwait(false);
        }
        finally
        {
            shared.Dispatched();
        }
    }

    /// <summary>Whether every connection that has reached <paramref name="reservation"/>'s port so far has been matched.</summary>
    internal bool Settled(PassiveReservation reservation)
    {
        lock (_listening)
        {
            return !_listening.TryGetValue(reservation.EndPoint, out var shared) || shared.Settled();
        }
    }

    private async Task DispatchAsync(PassivePortSocket shared, Socket connection)
    {
        IPEndPoint? client;
        try
        {
            client = await ProxiedClient.ResolveAsync(connection, _trustedProxies, _logger, _stopping).ConfigureAwait(false);
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

        var remote = new IPEndPoint(Addresses.Normalize(client.Address), client.Port);
        PassiveReservation? match;
        var taken = false;
        lock (_listening)
        {
            // A port holds at most one reservation per client address: waiting for its connection, or taken by it.
            match = shared.Reservations.FirstOrDefault(reservation => DataChannelPolicy.MayTakePassivePort(reservation.Owner, remote.Address));
            if (match is not null)
            {
                taken = match.TryTake(remote);
            }
        }

        if (match is not null)
        {
            Admit(match, taken, connection, remote);
        }
        else if (!await HandUnmatchedAsync(connection, remote, shared.Port).ConfigureAwait(false))
        {
            Log.ForeignDataConnection(_logger, remote.Address, shared.Port);
            connection.Dispose();
        }
    }

    /// <summary>Delivers the connection that took <paramref name="reservation"/>, or reports and closes one that came after it.</summary>
    private static void Admit(PassiveReservation reservation, bool taken, Socket connection, IPEndPoint client)
    {
        if (!taken)
        {
            reservation.ReportIntruder(client);
            connection.Dispose();
        }
        else if (!reservation.Deliver(connection))
        {
            // The session gave the reservation up (a new PASV, ABOR, logout) while this connection was arriving.
            connection.Dispose();
        }
    }

    /// <returns>False when nothing takes it (always, outside a shared range): the connection is refused.</returns>
    private async Task<bool> HandUnmatchedAsync(Socket connection, IPEndPoint client, int port)
    {
        if (_unmatched is null)
        {
            return false;
        }

        try
        {
            return await _unmatched.TakeAsync(connection, client, port, _stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }
}
