using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Server;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// The passive range every node of a cluster shares (Cluster:RelayPort), around this node's own
/// <see cref="PassiveListeners"/>, because a balancer may bring any node a data connection on any port:
/// every port listens all the time (<see cref="ListenOnWholeRange"/>); a port is promised to the client cluster-wide
/// (<see cref="IPassivePortSharing.ClaimAsync"/>) before the session announces it, and a port another node promised
/// to the same client is skipped; a connection no session of this node waits for goes to the node that claimed it
/// (<see cref="IPassivePortSharing.ForwardAsync"/>), whose <see cref="RelayListener"/> hands it to the reservation
/// by the claim's token (<see cref="TryDeliverRelayed"/>).
/// </summary>
public sealed class SharedPassiveRange : IPassivePorts, IUnmatchedDataConnections
{
    /// <summary>Ports tried when other nodes hold the first picks for the same client.</summary>
    private const int ClaimAttempts = 16;
    private readonly IPassivePortSharing _sharing;
    private readonly PassiveListeners _local;
    private readonly ConcurrentDictionary<string, Claim> _claims = new(StringComparer.Ordinal);
    private readonly List<IPAddress> _permanentAddresses = [];

    /// <param name="advertised">Ftp:PassivePortsAdvertised, as for <see cref="PassiveListeners"/>.</param>
    /// <param name="sharing">The claims and the relay to other nodes (<see cref="ClusterPortSharing"/>).</param>
    /// <param name="maxSegmentSize">Ftp:MaxSegmentSize, as for <see cref="PassiveListeners"/>.</param>
    public SharedPassiveRange(PortRange range, PortRange? advertised, NetworkList trustedProxies, ILogger logger, IPassivePortSharing sharing, int maxSegmentSize = 0)
    {
        _sharing = sharing;
        _local = new PassiveListeners(range, advertised, trustedProxies, logger, unmatched: this, maxSegmentSize);
    }

    public PortRange Range => _local.Range;

    public int Reserved => _local.Reserved;

    public int Listening => _local.Listening;

    /// <summary>Opens every port of the range on every listen address for good (<see cref="ListenPorts.SharedPassiveRange"/>).</summary>
    /// <exception cref="InvalidOperationException">A port is taken by another program; the message names the range to change.</exception>
    public void ListenOnWholeRange(IEnumerable<ListenPort> ports)
    {
        lock (_permanentAddresses)
        {
            foreach (var port in ports)
            {
                if (!_permanentAddresses.Contains(port.EndPoint.Address))
                {
                    _permanentAddresses.Add(port.EndPoint.Address);
                }

                try
                {
                    _local.ListenForGood(port.EndPoint, port.DualMode);
                }
                catch (SocketException ex)
                {
                    throw new InvalidOperationException($"{port.Refusal(ex)} With Cluster:RelayPort set, every port of the range listens all the time.", ex);
                }
            }
        }
    }

    /// <summary>As <see cref="PassiveListeners.ReserveAsync"/>, with each port claimed cluster-wide before it is listened on.</summary>
    public async Task<PassiveReservation> ReserveAsync(IPAddress localAddress, PassiveExpectation expectation, ILogger sessionLogger, CancellationToken cancellationToken)
    {
        localAddress = ListeningAddress(Addresses.Normalize(localAddress));
        var promisedElsewhere = new List<int>();
        var heldElsewhere = new HashSet<int>();
        try
        {
            for (var attempt = 0; attempt < ClaimAttempts; attempt++)
            {
                if (!_local.TryPickPort(expectation, out var port, candidate => !heldElsewhere.Contains(candidate) && (expectation.Owner is not { } client || _sharing.IsOurs(candidate, client))))
                {
                    throw _local.Exhausted(expectation, sessionLogger);
                }

                // Without the same-IP rule any address may take the port, so there is no client to claim it for.
                Claim? claim = null;
                if (expectation.Owner is { } owner)
                {
                    claim = new Claim(port, owner, Guid.NewGuid().ToString("N"));
                    bool promised;
                    try
                    {
                        promised = await _sharing.ClaimAsync(port, owner, claim.Token, cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        // No promise could be made (the store is away and this node may not promise alone): the port goes back.
                        _local.ReturnPort(port, expectation);
                        throw;
                    }

                    if (!promised)
                    {
                        // Another node promised this port to the same client; held back until the loop ends, so the next pick differs.
                        promisedElsewhere.Add(port);
                        continue;
                    }

                    _claims[claim.Token] = claim;
                }

                PassiveReservation? reservation;
                try
                {
                    reservation = _local.TryListen(new IPEndPoint(localAddress, port), expectation, sessionLogger, claim is null ? null : () => Withdraw(claim));
                }
                catch
                {
                    Withdraw(claim);
                    throw;
                }

                if (reservation is not null)
                {
                    claim?.Reservation = reservation;
                    return reservation;
                }

                // Another program holds this port; try a different one.
                Withdraw(claim);
                heldElsewhere.Add(port);
            }
        }
        finally
        {
            foreach (var port in promisedElsewhere)
            {
                _local.ReturnPort(port, expectation);
            }
        }

        throw _local.Exhausted(expectation, sessionLogger);
    }

    /// <summary>A data connection another node relayed here for the reservation that claimed <paramref name="token"/>.</summary>
    /// <returns>False when no reservation of this node holds that claim for that client and port.</returns>
    public bool TryDeliverRelayed(string token, IPEndPoint client, int port, Socket connection) =>
        _claims.TryGetValue(token, out var claim)
        && claim.Reservation is { } reservation
        && reservation.Port == port
        && DataChannelPolicy.MayTakePassivePort(reservation.Owner, client.Address)
        && _local.TryHandOver(reservation, connection, client);

    /// <summary>
    /// A data connection another node relayed here with a signed header (<see cref="SignedRelayHeader"/>), which names no
    /// claim: it goes to the reservation of this node waiting for that client on that port, if there is one.
    /// </summary>
    public bool TryDeliverSigned(IPEndPoint client, int port, Socket connection)
    {
        var address = Addresses.Normalize(client.Address);
        return _claims.Values.FirstOrDefault(claim => claim.Port == port && claim.Client.Equals(address)) is { Reservation: { } reservation }
            && _local.TryHandOver(reservation, connection, client);
    }

    public void Dispose() => _local.Dispose();

    Task<bool> IUnmatchedDataConnections.TakeAsync(Socket connection, IPEndPoint client, int port, CancellationToken cancellationToken) =>
        _sharing.ForwardAsync(connection, client, port, cancellationToken);

    /// <summary>The address the reservation's port listens on: the control connection's, or the permanent listener's that takes it.</summary>
    private IPAddress ListeningAddress(IPAddress local)
    {
        lock (_permanentAddresses)
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

    /// <summary>Withdraws the claim of a reservation that ended or never listened; once.</summary>
    private void Withdraw(Claim? claim)
    {
        if (claim is not null && _claims.TryRemove(claim.Token, out _))
        {
            _sharing.Release(claim.Port, claim.Client, claim.Token);
        }
    }

    /// <summary>A port promised cluster-wide to a client; the reservation it is for once that listens.</summary>
    private sealed class Claim(int port, IPAddress client, string token)
    {
        private volatile PassiveReservation? _reservation;

        public int Port { get; } = port;

        public IPAddress Client { get; } = client;

        public string Token { get; } = token;

        public PassiveReservation? Reservation
        {
            get => _reservation;
            set => _reservation = value;
        }
    }
}
