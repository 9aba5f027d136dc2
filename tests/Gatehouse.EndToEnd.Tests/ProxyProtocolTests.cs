using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Ftp:TrustedProxies: a balancer at 127.0.0.3 relays clients with PROXY protocol headers. The addresses the headers
/// name are only text inside the header; nothing is ever sent to them.
/// </summary>
public sealed partial class ProxyProtocolTests
{
    private const string Balancer = "127.0.0.3";

    private static Task<GatehouseServer> StartAsync() => GatehouseServer.StartAsync(new Dictionary<string, string>
    {
        ["Tls__Policy"] = "Optional",
        ["Ftp__TrustedProxies__0"] = Balancer + "/32",
        ["Access__DeniedNetworks__0"] = "203.0.113.66/32",
    });

    private static async Task<RawControl> ThroughBalancerAsync(GatehouseServer server, string header)
    {
        var control = await RawControl.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.ExplicitPort), IPAddress.Parse(Balancer));
        await control.SendRawAsync(header);
        return control;
    }

    [Fact]
    public async Task The_real_client_from_the_header_is_used_for_access_rules_and_the_data_connection_check()
    {
        await using var server = await StartAsync();

        using (var denied = await ThroughBalancerAsync(server, "PROXY TCP4 203.0.113.66 127.0.0.1 40000 21\r\n"))
        {
            Assert.StartsWith("421", await denied.ReadReplyAsync(), StringComparison.Ordinal);
        }

        Assert.True(await server.WaitForLogAsync("Connection from 203.0.113.66 refused", TimeSpan.FromSeconds(5)), server.Output);

        byte[] v2 = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0, 12, 203, 0, 113, 10, 127, 0, 0, 1, 0x9C, 0x40, 0, 21];
        using var control = await ThroughBalancerAsync(server, Encoding.Latin1.GetString(v2));
        await control.LoginAsync();

        // A data connection relayed for another client is refused; the one for this client gets the listing.
        var port = PassivePort(await control.CommandAsync("PASV"));
        using (var foreign = await DataThroughBalancerAsync(port, "PROXY TCP4 203.0.113.11 127.0.0.1 40001 " + port + "\r\n"))
        {
            Assert.Equal(0, await ReadToEndAsync(foreign));
        }

        Assert.True(await server.WaitForLogAsync("203.0.113.11", TimeSpan.FromSeconds(5)), server.Output);
        using var data = await DataThroughBalancerAsync(port, "PROXY TCP4 203.0.113.10 127.0.0.1 40002 " + port + "\r\n");
        Assert.StartsWith("150", await control.CommandAsync("NLST"), StringComparison.Ordinal);
        await ReadToEndAsync(data);
        Assert.StartsWith("226", await control.ReadReplyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trusted_balancer_without_a_header_and_an_untrusted_peer_with_one_are_disconnected_and_logged()
    {
        await using var server = await StartAsync();

        using (var untrusted = await RawControl.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.ExplicitPort)))
        {
            // Depending on timing the header is seen before the banner (closed at once) or read as a command (421).
            await untrusted.SendRawAsync("PROXY TCP4 203.0.113.10 127.0.0.1 40000 21\r\n");
            var replies = new List<string>();
            for (var reply = await untrusted.ReadReplyAsync(); reply.Length > 0 && replies.Count < 3; reply = await untrusted.ReadReplyAsync())
            {
                replies.Add(reply);
            }

            Assert.True(replies.Count == 0 || replies[^1].StartsWith("421", StringComparison.Ordinal), string.Join('\n', replies));
        }

        using (var headless = await RawControl.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.ExplicitPort), IPAddress.Parse(Balancer)))
        {
            Assert.Equal(string.Empty, await headless.ReadReplyAsync());
        }

        Assert.True(await server.WaitForLogAsync("not in Ftp:TrustedProxies", TimeSpan.FromSeconds(5)), server.Output);
        Assert.True(await server.WaitForLogAsync("no PROXY protocol header within 5 s", TimeSpan.FromSeconds(5)), server.Output);
    }

    private static int PassivePort(string reply)
    {
        var match = PasvReply().Match(reply);
        Assert.True(match.Success, reply);
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 256) + int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<Socket> DataThroughBalancerAsync(int port, string header)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(Balancer), 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(Encoding.ASCII.GetBytes(header));
        return socket;
    }

    private static async Task<int> ReadToEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var total = 0;
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                total += read;
            }
        }
        catch (SocketException)
        {
            // A refused connection may be reset rather than closed.
        }

        return total;
    }

    [GeneratedRegex(@"\(\d+,\d+,\d+,\d+,(\d+),(\d+)\)")]
    private static partial Regex PasvReply();
}
