using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Ftp:MaxSegmentSize on loopback, whose MTU of 65536 would otherwise allow segments of about 64 KiB: the segment size
/// the client's socket ends up with is the one the server announced, on the control connection, a passive data
/// connection and an active one, over IPv4 and IPv6. Lab topology 8 (Lab/TunnelMtuTests.cs) shows what it is for.
/// </summary>
public sealed partial class MaxSegmentSizeTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Control_passive_and_active_connections_announce_the_configured_segment_size(string address)
    {
        await using var server = await GatehouseServer.StartAsync(Settings("1200"), listen: ["::"]);
        var sizes = await SegmentSizesAsync(server, address);
        Assert.All(sizes, size => Assert.InRange(size, 1000, 1200));
        Assert.Contains("TCP segments of control and data connections are capped at 1200 bytes (Ftp:MaxSegmentSize)", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_setting_loopback_segments_are_far_larger()
    {
        // The control experiment: it shows the test above measures the setting, not loopback.
        await using var server = await GatehouseServer.StartAsync(Settings("0"), listen: ["::"]);
        Assert.All(await SegmentSizesAsync(server, "127.0.0.1"), size => Assert.True(size > 1460, $"{size}"));
    }

    private static Dictionary<string, string> Settings(string maxSegmentSize) => new()
    {
        ["Tls__Policy"] = "Optional",
        ["Ftp__MaxSegmentSize"] = maxSegmentSize,
    };

    /// <returns>TCP_MAXSEG of the client's end of the control connection, a passive and an active data connection.</returns>
    private static async Task<int[]> SegmentSizesAsync(GatehouseServer server, string address)
    {
        var ip = IPAddress.Parse(address);
        using var control = await RawControl.ConnectAsync(new IPEndPoint(ip, server.ExplicitPort));
        await control.LoginAsync();

        var epsv = await control.CommandAsync("EPSV");
        var port = int.Parse(EpsvPort().Match(epsv).Groups[1].Value, CultureInfo.InvariantCulture);
        using var passive = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await passive.ConnectAsync(new IPEndPoint(ip, port));
        Assert.StartsWith("150", await control.CommandAsync("NLST"), StringComparison.Ordinal);
        passive.Shutdown(SocketShutdown.Send);
        Assert.StartsWith("226", await control.ReadReplyAsync(), StringComparison.Ordinal);

        using var listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(ip, 0));
        listener.Listen(1);
        var family = ip.AddressFamily == AddressFamily.InterNetwork ? 1 : 2;
        Assert.StartsWith("200", await control.CommandAsync($"EPRT |{family}|{address}|{((IPEndPoint)listener.LocalEndPoint!).Port}|"), StringComparison.Ordinal);
        await control.SendRawAsync("NLST\r\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var active = await listener.AcceptAsync(timeout.Token);
        Assert.StartsWith("150", await control.ReadReplyAsync(), StringComparison.Ordinal);
        var sizes = new[] { SegmentSize(control.Socket), SegmentSize(passive), SegmentSize(active) };
        active.Shutdown(SocketShutdown.Send);
        Assert.StartsWith("226", await control.ReadReplyAsync(), StringComparison.Ordinal);
        return sizes;
    }

    /// <summary>TCP_MAXSEG of a connected socket: the segment size in use, at most what the peer announced.</summary>
    private static int SegmentSize(Socket socket)
    {
        var value = new byte[4];
        socket.GetRawSocketOption(6, 2, value);
        return BitConverter.ToInt32(value);
    }

    [GeneratedRegex(@"\(\|\|\|(\d+)\|\)")]
    private static partial Regex EpsvPort();
}
