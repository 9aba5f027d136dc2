using System.Net;
using System.Net.Sockets;
using System.Text;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Tests;

public class PassivePortTests
{
    private static readonly IPAddress Client1 = IPAddress.Loopback;
    private static readonly IPAddress Client2 = IPAddress.Parse("127.0.0.2");

    [Fact]
    public void Pool_hands_out_every_port_once_per_client_then_refuses_and_takes_them_back()
    {
        var pool = new PassivePortPool(new PortRange(50000, 50009));
        var ports = new HashSet<int>();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(pool.TryReserve(Client1, out var port));
            Assert.InRange(port, 50000, 50009);
            Assert.True(ports.Add(port));
        }

        Assert.False(pool.TryReserve(Client1, out _));
        pool.Release(50003, Client1);
        Assert.True(pool.TryReserve(Client1, out var again));
        Assert.Equal(50003, again);
        Assert.Throws<InvalidOperationException>(() => pool.Release(49999, Client1));
        Assert.Throws<InvalidOperationException>(() => pool.Release(50003, Client2));
    }

    [Fact]
    public void Pool_shares_a_port_between_different_clients_but_not_with_a_reservation_open_to_anyone()
    {
        var pool = new PassivePortPool(new PortRange(50000, 50000));
        Assert.True(pool.TryReserve(Client1, out _));
        Assert.True(pool.TryReserve(Client2, out _));
        Assert.True(pool.TryReserve(IPAddress.Parse("::ffff:10.0.0.9"), out _));
        Assert.False(pool.TryReserve(IPAddress.Parse("10.0.0.9"), out _));
        Assert.False(pool.TryReserve(null, out _));
        Assert.Equal(3, pool.Reserved);

        var open = new PassivePortPool(new PortRange(50000, 50000));
        Assert.True(open.TryReserve(null, out _));
        Assert.False(open.TryReserve(Client1, out _));
        open.Release(50000, null);
        Assert.True(open.TryReserve(Client1, out _));
    }

    [Fact]
    public void Pool_does_not_hand_out_ports_in_a_predictable_order()
    {
        var orders = Enumerable.Range(0, 5).Select(_ =>
        {
            var pool = new PassivePortPool(new PortRange(50000, 50999));
            pool.TryReserve(Client1, out var port);
            return port;
        }).ToHashSet();
        Assert.True(orders.Count > 1);
    }

    private static PortRange TestRange(int offset, int size = 20) => new(29000 + offset * 20, 29000 + offset * 20 + size - 1);

    private static PassiveListeners Listeners(PortRange range, PortRange? advertised = null, NetworkList? proxies = null) =>
        new(range, advertised, proxies ?? NetworkList.Empty, NullLogger.Instance);

    private static PassiveExpectation Expect(IPAddress client, TimeSpan? timeout = null, bool sameClient = true) =>
        new(client, sameClient, timeout ?? TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Unanswered_reservation_times_out_and_frees_its_port()
    {
        using var listeners = Listeners(TestRange(0));
        var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1, TimeSpan.FromMilliseconds(200)), NullLogger.Instance, default);
        Assert.Equal(1, listeners.Reserved);
        var error = await Assert.ThrowsAsync<DataChannelException>(() => reservation.WaitForConnectionAsync(default));
        Assert.Contains("firewall forwards the passive port range", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, listeners.Reserved);
        Assert.Equal(0, listeners.Listening);
        await reservation.DisposeAsync();
        Assert.Equal(0, listeners.Reserved);
    }

    [Fact]
    public async Task Disposing_an_unused_reservation_frees_the_port_and_stops_listening()
    {
        using var listeners = Listeners(TestRange(1));
        var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
        Assert.Equal(1, listeners.Listening);
        await reservation.DisposeAsync();
        Assert.Equal(0, listeners.Reserved);
        Assert.Equal(0, listeners.Listening);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reservation.Port)));
    }

    [Fact]
    public async Task Connection_from_another_address_is_refused_and_the_real_client_still_gets_in()
    {
        using var listeners = Listeners(TestRange(2));
        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);

        using (var thief = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            thief.Bind(new IPEndPoint(Client2, 0));
            await thief.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reservation.Port));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Assert.Equal(0, await ReadOrResetAsync(thief, new byte[1], timeout.Token));
        }

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reservation.Port));
        using var accepted = await reservation.WaitForConnectionAsync(default);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
        Assert.False(reservation.Raced.IsCancellationRequested);
        Assert.Equal(1, listeners.Reserved);
        await reservation.DisposeAsync();
        Assert.Equal(0, listeners.Reserved);
    }

    [Fact]
    public async Task A_second_connection_from_the_clients_address_after_the_port_was_taken_is_closed_and_reported_as_a_race()
    {
        using var listeners = Listeners(TestRange(5));
        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Bind(new IPEndPoint(Client1, 0));
        await first.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reservation.Port));
        using var accepted = await reservation.WaitForConnectionAsync(default);

        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        second.Bind(new IPEndPoint(Client1, 0));
        await second.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reservation.Port));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await ReadOrResetAsync(second, new byte[1], timeout.Token));

        Assert.True(reservation.Raced.WaitHandle.WaitOne(TimeSpan.FromSeconds(5)));
        Assert.Equal(second.LocalEndPoint, reservation.Intruder);
        Assert.Equal(((IPEndPoint)first.LocalEndPoint!).Port, ((IPEndPoint)accepted.RemoteEndPoint!).Port);
    }

    [Fact]
    public async Task One_port_serves_two_clients_at_once_and_each_gets_its_own_connection()
    {
        using var listeners = Listeners(TestRange(3, size: 1));
        await using var first = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
        await using var second = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client2), NullLogger.Instance, default);
        Assert.Equal(first.Port, second.Port);
        Assert.Equal(1, listeners.Listening);

        using var fromSecond = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        fromSecond.Bind(new IPEndPoint(Client2, 0));
        await fromSecond.ConnectAsync(new IPEndPoint(IPAddress.Loopback, second.Port));
        using var fromFirst = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        fromFirst.Bind(new IPEndPoint(Client1, 0));
        await fromFirst.ConnectAsync(new IPEndPoint(IPAddress.Loopback, first.Port));

        using var acceptedFirst = await first.WaitForConnectionAsync(default);
        using var acceptedSecond = await second.WaitForConnectionAsync(default);
        Assert.Equal(Client1, ((IPEndPoint)acceptedFirst.RemoteEndPoint!).Address);
        Assert.Equal(Client2, ((IPEndPoint)acceptedSecond.RemoteEndPoint!).Address);
        Assert.Equal(1, listeners.Listening);
        await first.DisposeAsync();
        await second.DisposeAsync();
        Assert.Equal(0, listeners.Listening);
    }

    [Fact]
    public async Task A_client_holding_every_port_gets_a_clear_refusal_while_other_clients_still_get_ports()
    {
        using var listeners = Listeners(TestRange(4, size: 2));
        await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
        await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
        var error = await Assert.ThrowsAsync<DataChannelException>(() => listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default));
        Assert.Contains($"All 2 passive ports ({TestRange(4, size: 2)}) are busy for your address", error.Message, StringComparison.Ordinal);
        await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client2), NullLogger.Instance, default);
        Assert.Equal(3, listeners.Reserved);
    }

    [Fact]
    public async Task A_port_another_program_listens_on_is_skipped_even_when_that_program_allows_sharing()
    {
        var range = TestRange(7, size: 2);

        // As a server that shares its ports would (SO_REUSEPORT, which .NET's ReuseAddress option sets on Linux):
        // were the port shared, the kernel would give some data connections to the other program.
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        other.Bind(new IPEndPoint(IPAddress.Loopback, range.First));
        other.Listen();
        using var listeners = Listeners(range);

        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
        Assert.Equal(range.Last, reservation.Port);
        var error = await Assert.ThrowsAsync<DataChannelException>(() => listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default));
        Assert.Contains("ports are in use by other programs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_one_port_no_other_socket_holds_is_found_however_many_are_held_and_when_none_is_left_the_operator_is_told_why()
    {
        // As this machine's own outgoing connections do when the range lies inside net.ipv4.ip_local_port_range.
        var range = TestRange(9, size: 12);
        var others = Enumerable.Range(range.First, 11).Select(port =>
        {
            var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            other.Bind(new IPEndPoint(IPAddress.Loopback, port));
            other.Listen();
            return other;
        }).ToList();
        try
        {
            using var listeners = Listeners(range);
            for (var i = 0; i < 20; i++)
            {
                await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
                Assert.Equal(range.Last, reservation.Port);
            }

            var log = new ListLogger<PassiveListeners>();
            await using var last = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
            var error = await Assert.ThrowsAsync<DataChannelException>(() => listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), log, default));
            Assert.Contains("ports are in use by other programs", error.Message, StringComparison.Ordinal);
            var logged = Assert.Single(log.Entries);
            Assert.Equal(54, logged.Id);
            Assert.Contains("the 11 free for this client are held by other sockets", logged.Message, StringComparison.Ordinal);
        }
        finally
        {
            others.ForEach(other => other.Dispose());
        }
    }

    [Fact]
    public async Task Advertised_port_is_the_same_slot_of_the_advertised_range()
    {
        var range = TestRange(5, size: 5);
        using var listeners = Listeners(range, new PortRange(61000, 61004));
        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(Client1), NullLogger.Instance, default);
        Assert.Equal(61000 + (reservation.Port - range.First), reservation.AdvertisedPort);
    }

    [Fact]
    public async Task Connection_through_a_trusted_proxy_counts_as_the_client_its_header_names_and_keeps_the_bytes_behind_it()
    {
        Assert.True(NetworkList.TryParse(["127.0.0.3"], out var proxies, out _));
        using var listeners = Listeners(TestRange(6), proxies: proxies);
        await using var reservation = await listeners.ReserveAsync(IPAddress.Loopback, Expect(IPAddress.Parse("198.51.100.7")), NullLogger.Instance, default);

        using (var badProxy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            badProxy.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
            await badProxy.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reservation.Port));
            await badProxy.SendAsync(Encoding.ASCII.GetBytes("HELLO, no header here\r\n"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Assert.Equal(0, await ReadOrResetAsync(badProxy, new byte[1], timeout.Token));
        }

        using var proxy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        proxy.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        await proxy.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reservation.Port));
        await proxy.SendAsync(Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.7 192.0.2.1 40000 2121\r\nupload bytes"));
        using var accepted = await reservation.WaitForConnectionAsync(default);
        var buffer = new byte[64];
        var read = await accepted.ReceiveAsync(buffer, SocketFlags.None);
        Assert.Equal("upload bytes", Encoding.ASCII.GetString(buffer, 0, read));
    }

    private static async Task<int> ReadOrResetAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
            return 0;
        }
    }
}
