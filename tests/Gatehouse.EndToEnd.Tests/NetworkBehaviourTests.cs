using System.Net;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>What the server does for firewalls and NAT: announced addresses, time-outs, keep-alive, limits, shutdown.</summary>
public sealed partial class NetworkBehaviourTests
{
    private static Dictionary<string, string> Plain(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string> { ["Tls__Policy"] = "Optional" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }

    private static IPEndPoint Control(GatehouseServer server, string address = "127.0.0.1") => new(IPAddress.Parse(address), server.ExplicitPort);

    private static async Task<string> PasvAddressAsync(GatehouseServer server, string serverAddress = "127.0.0.1", string? from = null)
    {
        using var control = await RawControl.ConnectAsync(Control(server, serverAddress), from is null ? null : IPAddress.Parse(from));
        await control.LoginAsync();
        var reply = await control.CommandAsync("PASV");
        var match = PasvReply().Match(reply);
        Assert.True(match.Success, reply);
        return match.Groups[1].Value.Replace(',', '.');
    }

    [Fact]
    public async Task Passive_address_and_overrides_are_chosen_per_client_network()
    {
        await using var server = await GatehouseServer.StartAsync(Plain(
            ("Ftp__PassiveAddress", "127.0.0.5"),
            ("Ftp__PassiveAddressOverrides__0__Network", "127.0.0.2/32"),
            ("Ftp__PassiveAddressOverrides__0__Address", "127.0.0.9")));
        Assert.Equal("127.0.0.5", await PasvAddressAsync(server));
        Assert.Equal("127.0.0.9", await PasvAddressAsync(server, from: "127.0.0.2"));
    }

    [Fact]
    public async Task Without_a_passive_address_each_interface_announces_itself()
    {
        await using var server = await GatehouseServer.StartAsync(Plain(("Ftp__ListenAddresses__1", "127.0.0.3")));
        Assert.Equal("127.0.0.1", await PasvAddressAsync(server, "127.0.0.1"));
        Assert.Equal("127.0.0.3", await PasvAddressAsync(server, "127.0.0.3"));
    }

    [Fact]
    public async Task Dual_stack_listener_serves_ipv4_clients_as_ipv4()
    {
        // "::" is the default listener: IPv4 clients arrive as IPv4-mapped IPv6 addresses.
        await using var server = await GatehouseServer.StartAsync(listen: ["::"]);
        Assert.Contains("227 Entering Passive Mode (127,0,0,1,", await Clients.FtplibAsync(server, "pasv-reply"), StringComparison.Ordinal);
        await Clients.FtplibAsync(server, "roundtrip", extra: ["--mode", "pasv", "--size", "100000"]);
        await Clients.FtplibAsync(server, "roundtrip", extra: ["--mode", "port", "--size", "100000", "--name", "dual-port.bin"]);
        await Clients.FtplibAsync(server, "roundtrip", host: "::1", extra: ["--size", "1000", "--name", "dual-v6.bin"]);
        await Clients.FtplibAsync(server, "theft");
        Assert.True(await server.WaitForLogAsync("Data connection from 127.0.0.2 to passive port", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Two_passive_ports_serve_sixteen_concurrent_tls_downloads_from_eight_addresses()
    {
        await using var server = await GatehouseServer.StartAsync(passivePorts: 2);
        var original = TestFiles.CreateBig(server, size: 1L << 20);
        var downloads = Directory.CreateTempSubdirectory("gatehouse-shared-ports-");
        try
        {
            // Rate-limited so that all sixteen transfers are running at the same time on the two ports.
            var runs = Enumerable.Range(0, 16).Select(i => Clients.CurlAsync(server,
                "--ssl-reqd", "--limit-rate", "512k", "--interface", $"127.0.0.{20 + (i % 8)}",
                "-o", Path.Combine(downloads.FullName, $"{i}.bin"), $"ftp://127.0.0.1:{server.ExplicitPort}/big.bin"));
            await Task.WhenAll(runs);
            var expected = await File.ReadAllBytesAsync(original);
            for (var i = 0; i < 16; i++)
            {
                Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(downloads.FullName, $"{i}.bin")));
            }
        }
        finally
        {
            downloads.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_client_address_holding_every_passive_port_gets_425_naming_the_range()
    {
        await using var server = await GatehouseServer.StartAsync(Plain(), passivePorts: 2);
        var range = server.Settings["Ftp__PassivePorts"];
        var sessions = new List<RawControl>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var control = await RawControl.ConnectAsync(Control(server));
                sessions.Add(control);
                await control.LoginAsync();
            }

            Assert.StartsWith("229", await sessions[0].CommandAsync("EPSV"), StringComparison.Ordinal);
            Assert.StartsWith("227", await sessions[1].CommandAsync("PASV"), StringComparison.Ordinal);
            var refused = await sessions[2].CommandAsync("EPSV");
            Assert.StartsWith("425", refused, StringComparison.Ordinal);
            Assert.Contains($"passive ports ({range}) are busy for your address", refused, StringComparison.Ordinal);
            Assert.True(await server.WaitForLogAsync($"No free passive port in {range} for 127.0.0.1", TimeSpan.FromSeconds(5)));

            // Another address still gets a port, and the refused session goes on once a port is free.
            using var other = await RawControl.ConnectAsync(Control(server), IPAddress.Parse("127.0.0.2"));
            await other.LoginAsync();
            Assert.StartsWith("229", await other.CommandAsync("EPSV"), StringComparison.Ordinal);
            Assert.StartsWith("200", await sessions[0].CommandAsync("TYPE I"), StringComparison.Ordinal);
            await sessions[0].CommandAsync("REIN");
            Assert.StartsWith("229", await sessions[2].CommandAsync("EPSV"), StringComparison.Ordinal);
        }
        finally
        {
            sessions.ForEach(session => session.Dispose());
        }
    }

    [Fact]
    public async Task Advertised_passive_ports_are_announced_in_place_of_the_listening_ones()
    {
        await using var server = await GatehouseServer.StartAsync(Plain(("Ftp__PassivePortsAdvertised", "61000-61000")), passivePorts: 1);
        using var control = await RawControl.ConnectAsync(Control(server));
        await control.LoginAsync();
        Assert.Contains("(|||61000|)", await control.CommandAsync("EPSV"), StringComparison.Ordinal);
        Assert.Contains("(127,0,0,1,238,72)", await control.CommandAsync("PASV"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Active_mode_can_be_switched_off()
    {
        await using var server = await GatehouseServer.StartAsync(Plain(("Ftp__AllowActiveMode", "false")));
        using var control = await RawControl.ConnectAsync(Control(server));
        await control.LoginAsync();
        var reply = await control.CommandAsync("PORT 127,0,0,1,156,64");
        Assert.StartsWith("502", reply, StringComparison.Ordinal);
        Assert.Contains("Ftp:AllowActiveMode", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("EPRT", await control.CommandAsync("FEAT"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_and_login_time_outs_close_with_421_but_never_during_a_transfer()
    {
        await using var server = await GatehouseServer.StartAsync(Plain(("Limits__IdleTimeoutSeconds", "2"), ("Limits__LoginTimeoutSeconds", "2")));
        TestFiles.CreateBig(server, size: 16L << 20);
        await Clients.FtplibAsync(server, "login-timeout", tls: false, extra: ["--seconds", "3"]);
        await Clients.FtplibAsync(server, "idle-timeout", tls: false, extra: ["--seconds", "3"]);
        await Clients.FtplibAsync(server, "slow-download", tls: false, extra: ["--seconds", "4"]);
    }

    [Theory]
    [InlineData(42)]
    [InlineData(0)]
    public async Task Control_socket_gets_per_socket_tcp_keep_alive(int seconds)
    {
        await using var server = await GatehouseServer.StartAsync(Plain(("Ftp__ControlKeepAliveSeconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var hold = Clients.RunAsync(Clients.Python, [Clients.Script, "hold", "--port", server.ExplicitPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--password", GatehouseServer.Password, "--seconds", "3"]);
        Assert.True(await server.WaitForLogAsync("Session started", TimeSpan.FromSeconds(10)));

        // ss shows one timer per socket: while a reply is still unacknowledged that is the retransmission timer
        // ("on"), so look again (within the session's 3 s) until the socket is quiet.
        var sockets = "";
        var timer = Match.Empty;
        for (var look = 0; look < 10 && !timer.Success; look++)
        {
            (_, sockets) = await Clients.RunAsync("ss", ["-tnoH", "state", "established", $"( sport = :{server.ExplicitPort} )"]);
            timer = KeepAliveTimer().Match(sockets);
            if (!timer.Success && !sockets.Contains("timer:(on", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(100);
        }

        var (code, output) = await hold;
        Assert.True(code == 0, output);
        if (seconds == 0)
        {
            Assert.False(timer.Success, sockets);
        }
        else
        {
            Assert.True(timer.Success, sockets);
            Assert.InRange(int.Parse(timer.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1, seconds);
        }
    }

    [Fact]
    public async Task Sessions_per_address_are_capped_with_a_clear_421()
    {
        await using var server = await GatehouseServer.StartAsync(Plain(("Limits__MaxSessionsPerIp", "2")));
        using var first = await RawControl.ConnectAsync(Control(server));
        using var second = await RawControl.ConnectAsync(Control(server));
        Assert.StartsWith("220", await first.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("220", await second.ReadReplyAsync(), StringComparison.Ordinal);
        using var third = await RawControl.ConnectAsync(Control(server));
        var refused = await third.ReadReplyAsync();
        Assert.StartsWith("421 Too many connections from your address (limit 2)", refused, StringComparison.Ordinal);
        using var otherAddress = await RawControl.ConnectAsync(Control(server), IPAddress.Parse("127.0.0.2"));
        Assert.StartsWith("220", await otherAddress.ReadReplyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passive_ports_are_never_leaked_whatever_the_client_does()
    {
        await using var server = await GatehouseServer.StartAsync(passivePorts: 4);
        await Clients.FtplibAsync(server, "port-churn", extra: ["--count", "12"]);
    }

    [Fact]
    public async Task Full_disk_gives_452_and_leaves_nothing_under_the_final_name()
    {
        await using var server = await GatehouseServer.StartAsync(Plain());
        var home = server.Home("alice");
        var (mounted, mountOutput) = await Clients.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", home]);
        Assert.True(mounted == 0, $"this test needs root to mount a 1 MiB tmpfs: {mountOutput}");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(home, "report.csv"), "previous version");
            var output = await Clients.FtplibAsync(server, "upload", tls: false, extra: ["--name", "report.csv", "--size", "3000000"]);
            Assert.Contains("REPLY 452 Not enough storage space on the server", output, StringComparison.Ordinal);
            Assert.Equal("previous version", await File.ReadAllTextAsync(Path.Combine(home, "report.csv")));
            Assert.Equal(["report.csv"], Directory.GetFiles(home).Select(Path.GetFileName));
        }
        finally
        {
            await Clients.RunAsync("umount", [home]);
        }
    }

    [Fact]
    public async Task Hundred_concurrent_tls_sessions_transfer_correctly()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Limits__MaxSessionsPerIp"] = "150" }, passivePorts: 120);
        var output = await Clients.FtplibAsync(server, "concurrent", extra: ["--count", "100"]);
        Assert.Contains("OK concurrent 100 sessions", output, StringComparison.Ordinal);
        Assert.Equal(100, Directory.GetFiles(server.Home("alice"), "concurrent-*.bin").Length);
    }

    [Fact]
    public async Task Sigterm_lets_a_running_transfer_finish_then_exits_cleanly()
    {
        await using var server = await GatehouseServer.StartAsync(Plain(("Limits__ShutdownGraceSeconds", "20")));
        TestFiles.CreateBig(server, size: 16L << 20);
        var download = Clients.RunAsync(Clients.Python, [Clients.Script, "slow-download", "--port", server.ExplicitPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--password", GatehouseServer.Password, "--seconds", "3", "--how", "shutdown"]);
        Assert.True(await server.WaitForLogAsync("Session started", TimeSpan.FromSeconds(10)));
        await Task.Delay(1000);
        var exit = server.StopAsync(TimeSpan.FromSeconds(40));
        var (code, output) = await download;
        Assert.True(code == 0, $"{output}\n--- server log ---\n{server.Output}");
        Assert.Contains("OK slow-download", output, StringComparison.Ordinal);
        Assert.Equal(0, await exit);
        Assert.Contains("Shutting down", server.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\((\d+,\d+,\d+,\d+),\d+,\d+\)")]
    private static partial Regex PasvReply();

    [GeneratedRegex(@"timer:\(keepalive,(\d+)(?:\.\d+)?sec")]
    private static partial Regex KeepAliveTimer();
}
