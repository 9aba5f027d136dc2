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
    [Fact]
    public void Pool_hands_out_every_port_once_then_refuses_and_takes_them_back()
    {
        var pool = new PassivePortPool(new PortRange(50000, 50009));
        var ports = new HashSet<int>();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(pool.TryReserve(out var port));
            Assert.InRange(port, 50000, 50009);
            Assert.True(ports.Add(port));
        }

        Assert.False(pool.TryReserve(out _));
        pool.Release(50003);
        Assert.True(pool.TryReserve(out var again));
        Assert.Equal(50003, again);
        Assert.Throws<InvalidOperationException>(() => pool.Release(49999));
    }

    [Fact]
    public void Pool_does_not_hand_out_ports_in_a_predictable_order()
    {
        var orders = Enumerable.Range(0, 5).Select(_ =>
        {
            var pool = new PassivePortPool(new PortRange(50000, 50999));
            pool.TryReserve(out var port);
            return port;
        }).ToHashSet();
        Assert.True(orders.Count > 1);
    }

    private static PortRange TestRange(int offset) => new(29000 + offset * 20, 29000 + offset * 20 + 19);

    [Fact]
    public async Task Unanswered_reservation_times_out_and_frees_its_port()
    {
        var pool = new PassivePortPool(TestRange(0));
        var listener = PassiveDataListener.Open(pool, IPAddress.Loopback, new PassiveExpectation(IPAddress.Loopback, true, TimeSpan.FromMilliseconds(200), NetworkList.Empty), NullLogger.Instance);
        Assert.Equal(1, pool.Reserved);
        var error = await Assert.ThrowsAsync<DataChannelException>(() => listener.WaitForConnectionAsync(default));
        Assert.Contains("firewall forwards the passive port range", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.Reserved);
        await listener.DisposeAsync();
        Assert.Equal(0, pool.Reserved);
    }

    [Fact]
    public async Task Disposing_an_unused_reservation_frees_the_port()
    {
        var pool = new PassivePortPool(TestRange(1));
        var listener = PassiveDataListener.Open(pool, IPAddress.Loopback, new PassiveExpectation(IPAddress.Loopback, true, TimeSpan.FromSeconds(30), NetworkList.Empty), NullLogger.Instance);
        await listener.DisposeAsync();
        Assert.Equal(0, pool.Reserved);
    }

    [Fact]
    public async Task Connection_from_another_address_is_refused_and_the_real_client_still_gets_in()
    {
        var pool = new PassivePortPool(TestRange(2));
        await using var listener = PassiveDataListener.Open(pool, IPAddress.Loopback, new PassiveExpectation(IPAddress.Loopback, true, TimeSpan.FromSeconds(10), NetworkList.Empty), NullLogger.Instance);

        using (var thief = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            thief.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
            await thief.ConnectAsync(new IPEndPoint(IPAddress.Loopback, listener.Port));
            var buffer = new byte[1];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var read = await ReadOrResetAsync(thief, buffer, timeout.Token);
            Assert.Equal(0, read);
        }

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, listener.Port));
        using var accepted = await listener.WaitForConnectionAsync(default);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
        Assert.Equal(0, pool.Reserved);
    }

    [Fact]
    public async Task Connection_through_a_trusted_proxy_counts_as_the_client_its_header_names_and_keeps_the_bytes_behind_it()
    {
        Assert.True(NetworkList.TryParse(["127.0.0.3"], out var proxies, out _));
        var pool = new PassivePortPool(TestRange(3));
        var client = IPAddress.Parse("198.51.100.7");
        await using var listener = PassiveDataListener.Open(pool, IPAddress.Loopback, new PassiveExpectation(client, true, TimeSpan.FromSeconds(10), proxies), NullLogger.Instance);

        using (var badProxy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            badProxy.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
            await badProxy.ConnectAsync(new IPEndPoint(IPAddress.Loopback, listener.Port));
            await badProxy.SendAsync(Encoding.ASCII.GetBytes("HELLO, no header here\r\n"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Assert.Equal(0, await ReadOrResetAsync(badProxy, new byte[1], timeout.Token));
        }

        using var proxy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        proxy.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        await proxy.ConnectAsync(new IPEndPoint(IPAddress.Loopback, listener.Port));
        await proxy.SendAsync(Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.7 192.0.2.1 40000 2121\r\nupload bytes"));
        using var accepted = await listener.WaitForConnectionAsync(default);
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
