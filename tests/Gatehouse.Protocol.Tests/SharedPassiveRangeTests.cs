using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.Cluster;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Tests;

/// <summary>The passive range of a cluster whose nodes share it (Cluster:RelayPort), with the cluster played by a fake.</summary>
public sealed class SharedPassiveRangeTests
{
    private static readonly IPAddress Client = IPAddress.Loopback;

    private static PassiveExpectation Expect() => new(Client, RequireSameClient: true, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_port_another_node_promised_to_the_client_is_skipped_and_a_claim_is_withdrawn_when_the_reservation_ends()
    {
        var cluster = new FakeCluster { TakenElsewhere = 29400 };
        using var listeners = new SharedPassiveRange(new PortRange(29400, 29401), null, NetworkList.Empty, NullLogger.Instance, cluster);
        for (var i = 0; i < 5; i++)
        {
            var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(), NullLogger.Instance, default);
            Assert.Equal(29401, reservation.Port);
            var token = Assert.Single(cluster.Claims.Keys);
            await reservation.DisposeAsync();
            Assert.Empty(cluster.Claims);
            Assert.Contains(token, cluster.Released);
        }
    }

    [Fact]
    public async Task Every_port_listens_and_a_connection_no_session_here_waits_for_goes_to_the_cluster()
    {
        var cluster = new FakeCluster();
        using var listeners = new SharedPassiveRange(new PortRange(29410, 29412), null, NetworkList.Empty, NullLogger.Instance, cluster);
        var options = new GatehouseOptions { Cluster = { RelayPort = 29499 } };
        listeners.ListenOnWholeRange(ListenPorts.SharedPassiveRange(options, [IPAddress.Loopback], listeners.Range));
        Assert.Equal(3, listeners.Listening);

        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(), NullLogger.Instance, default);
        var other = Enumerable.Range(29410, 3).First(port => port != reservation.Port);
        using var stray = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stray.ConnectAsync(new IPEndPoint(IPAddress.Loopback, other));
        var forwarded = await cluster.Forwarded.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((Client, other), (forwarded.Client.Address, forwarded.Port));

        // The reservation's own connection stays here, and its port keeps listening after it.
        using var own = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await own.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reservation.Port));
        using var accepted = await reservation.WaitForConnectionAsync(default);
        Assert.Equal(3, listeners.Listening);
    }

    [Fact]
    public async Task A_relayed_connection_reaches_its_reservation_only_with_its_claims_token_client_and_port()
    {
        var cluster = new FakeCluster();
        using var listeners = new SharedPassiveRange(new PortRange(29420, 29421), null, NetworkList.Empty, NullLogger.Instance, cluster);
        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(), NullLogger.Instance, default);
        var token = Assert.Single(cluster.Claims.Keys);
        var client = new IPEndPoint(Client, 40000);
        using var relayed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        Assert.False(listeners.TryDeliverRelayed(Guid.NewGuid().ToString("N"), client, reservation.Port, relayed));
        Assert.False(listeners.TryDeliverRelayed(token, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 40000), reservation.Port, relayed));
        Assert.False(listeners.TryDeliverRelayed(token, client, reservation.Port == 29420 ? 29421 : 29420, relayed));
        Assert.True(listeners.TryDeliverRelayed(token, client, reservation.Port, relayed));

        Assert.Same(relayed, await reservation.WaitForConnectionAsync(default));
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.True(listeners.TryDeliverRelayed(token, new IPEndPoint(Client, 40001), reservation.Port, second));
        Assert.True(reservation.Raced.IsCancellationRequested);
        Assert.DoesNotContain(token, cluster.Released);

        await reservation.DisposeAsync();
        Assert.Contains(token, cluster.Released);
        Assert.False(listeners.TryDeliverRelayed(token, client, reservation.Port, relayed));
    }

    [Fact]
    public async Task Only_ports_of_this_nodes_share_are_promised()
    {
        var cluster = new FakeCluster { Share = port => port % 2 == 0 };
        using var listeners = new SharedPassiveRange(new PortRange(29430, 29439), null, NetworkList.Empty, NullLogger.Instance, cluster);
        var reservations = new List<PassiveReservation>();
        for (var i = 0; i < 5; i++)
        {
            reservations.Add(await listeners.ReserveAsync(IPAddress.Loopback, Expect(), NullLogger.Instance, default));
        }

        Assert.Equal([29430, 29432, 29434, 29436, 29438], reservations.Select(reservation => reservation.Port).Order());
        await Assert.ThrowsAsync<DataChannelException>(() => listeners.ReserveAsync(IPAddress.Loopback, Expect(), NullLogger.Instance, default));
        foreach (var reservation in reservations)
        {
            await reservation.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_signed_relay_reaches_only_a_reservation_waiting_for_its_client_on_its_port()
    {
        var cluster = new FakeCluster();
        using var listeners = new SharedPassiveRange(new PortRange(29440, 29441), null, NetworkList.Empty, NullLogger.Instance, cluster);
        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(), NullLogger.Instance, default);
        var otherPort = reservation.Port == 29440 ? 29441 : 29440;
        using var relayed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        Assert.False(listeners.TryDeliverSigned(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 40000), reservation.Port, relayed));
        Assert.False(listeners.TryDeliverSigned(new IPEndPoint(Client, 40000), otherPort, relayed));
        Assert.True(listeners.TryDeliverSigned(new IPEndPoint(Client, 40000), reservation.Port, relayed));
        Assert.Same(relayed, await reservation.WaitForConnectionAsync(default));
    }

    [Fact]
    public async Task A_port_that_could_not_be_promised_goes_back_to_the_pool()
    {
        var cluster = new FakeCluster { Unreachable = true };
        using var listeners = new SharedPassiveRange(new PortRange(29450, 29450), null, NetworkList.Empty, NullLogger.Instance, cluster);
        await Assert.ThrowsAsync<DataChannelException>(() => listeners.ReserveAsync(IPAddress.Loopback, Expect(), NullLogger.Instance, default));
        Assert.Equal(0, listeners.Reserved);

        cluster.Unreachable = false;
        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(), NullLogger.Instance, default);
        Assert.Equal(29450, reservation.Port);
    }

    private sealed class FakeCluster : IPassivePortSharing
    {
        public int TakenElsewhere { get; init; }

        public ConcurrentDictionary<string, (int Port, IPAddress Client)> Claims { get; } = new();

        public ConcurrentBag<string> Released { get; } = [];

        public TaskCompletionSource<(IPEndPoint Client, int Port)> Forwarded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<int, bool> Share { get; init; } = _ => true;

        public bool Unreachable { get; set; }

        public bool IsOurs(int port, IPAddress client) => Share(port);

        public Task<bool> ClaimAsync(int port, IPAddress client, string token, CancellationToken cancellationToken)
        {
            if (Unreachable)
            {
                throw new DataChannelException("The cluster's shared store cannot be reached to reserve a passive port; try again shortly.");
            }

            if (port == TakenElsewhere)
            {
                return Task.FromResult(false);
            }

            Claims[token] = (port, client);
            return Task.FromResult(true);
        }

        public void Release(int port, IPAddress client, string token)
        {
            Assert.True(Claims.TryRemove(token, out var claim));
            Assert.Equal((port, client), claim);
            Released.Add(token);
        }

        public Task<bool> ForwardAsync(Socket connection, IPEndPoint client, int port, CancellationToken cancellationToken)
        {
            connection.Dispose();
            Forwarded.TrySetResult((client, port));
            return Task.FromResult(true);
        }
    }
}
