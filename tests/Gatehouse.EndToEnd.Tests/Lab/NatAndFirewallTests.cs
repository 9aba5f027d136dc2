namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Gatehouse in topologies 1 to 6 of the network lab (<see cref="Topologies"/>): NAT on either side, restrictive
/// firewalls, a multi-homed server, a firewall that forgets idle connections, IPv6 only.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class NatAndFirewallTests
{
    [Fact]
    public async Task Client_behind_a_masquerading_nat_router()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.ClientBehindNatAsync(lab);
        using var certificate = new LabCertificate("198.18.1.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate);
        await LabFtp.AllClientsAsync(client, gatehouse.Target("198.18.1.10", certificate), active: false);
        Assert.Contains("198.18.1.1", gatehouse.Output, StringComparison.Ordinal);

        // The client's PORT names its private address; the server only ever connects back to the address the
        // session comes from (the router), so active mode is refused with a reply that says what to use instead.
        var refusal = await LabFtp.FtplibActiveRefusedAsync(client, gatehouse.Target("198.18.1.10", certificate), "5xx");
        Assert.Contains("may only connect back to your own address (198.18.1.1), not 192.168.1.2", refusal, StringComparison.Ordinal);
        Assert.Contains("use PASV or EPSV", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_behind_a_nat_router_that_forwards_the_control_port_and_the_passive_range()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (internet, lan, server) = await Topologies.ServerBehindNatAsync(lab);
        using var certificate = new LabCertificate("198.18.2.1", "172.16.0.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate,
            ("Ftp__PassiveAddress", "198.18.2.1"),
            ("Ftp__PassiveAddressOverrides__0__Network", "172.16.0.0/16"),
            ("Ftp__PassiveAddressOverrides__0__Address", "172.16.0.10"));

        await LabFtp.AllClientsAsync(internet, gatehouse.Target("198.18.2.1", certificate), active: true);
        Assert.Contains("227 Entering Passive Mode (198,18,2,1,", await LabFtp.FtplibAsync(internet, gatehouse.Target("198.18.2.1", certificate), "pasv"), StringComparison.Ordinal);

        // A LAN client reaches the server's private address directly and is told that address.
        Assert.Contains("227 Entering Passive Mode (172,16,0,10,", await LabFtp.FtplibAsync(lan, gatehouse.Target("172.16.0.10", certificate), "pasv"), StringComparison.Ordinal);
        await LabFtp.CurlAsync(lan, gatehouse.Target("172.16.0.10", certificate), epsv: false);
        await LabFtp.LftpAsync(lan, gatehouse.Target("172.16.0.10", certificate), passive: true);
    }

    [Fact]
    public async Task Server_behind_nat_without_a_passive_address_announces_an_address_the_internet_cannot_reach()
    {
        // The control experiment for the test above: it shows the lab's NAT really breaks what the setting fixes.
        await using var lab = await NetworkLab.CreateAsync();
        var (internet, _, server) = await Topologies.ServerBehindNatAsync(lab);
        using var certificate = new LabCertificate("198.18.2.1", "172.16.0.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate);

        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "exchange", "--host", "198.18.2.1", "--port", "2121", "--user", "alice", "--password", GatehouseServer.Password,
             "--tls", "--cafile", certificate.CertificateFile, "--mode", "pasv", "--name", "unreachable.bin", "--size", "1000"],
            TimeSpan.FromMinutes(1), networkNamespace: internet.Namespace);
        Assert.NotEqual(0, code);
        Assert.Contains("227 Entering Passive Mode (172,16,0,10,", output, StringComparison.Ordinal);

        // EPSV carries no address, so it works through the same NAT without any setting.
        await LabFtp.FtplibAsync(internet, gatehouse.Target("198.18.2.1", certificate), "epsv");
    }

    [Fact]
    public async Task Restrictive_firewalls_on_both_sides_allow_passive_and_refuse_active_with_a_clear_reply()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.RestrictiveFirewallsAsync(lab);
        using var certificate = new LabCertificate("10.30.0.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate);
        await LabFtp.AllClientsAsync(client, gatehouse.Target("10.30.0.10", certificate), active: false);

        var refusal = await LabFtp.FtplibActiveRefusedAsync(client, gatehouse.Target("10.30.0.10", certificate), "4xx");
        Assert.Contains("425 Could not connect to your active-mode port 10.30.0.2:", refusal, StringComparison.Ordinal);
        Assert.Contains("a firewall on your side probably blocks it; use passive mode", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Multi_homed_server_announces_each_side_its_own_address_without_configuration()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var outside = await lab.AddHostAsync("outside");
        var inside = await lab.AddHostAsync("inside");
        var server = await lab.AddHostAsync("server");
        await NetworkLab.LinkAsync(outside, "198.18.4.20/24", server, "198.18.4.10/24");
        await NetworkLab.LinkAsync(inside, "10.40.0.20/24", server, "10.40.0.10/24");

        using var certificate = new LabCertificate("198.18.4.10", "10.40.0.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate);
        Assert.Contains("227 Entering Passive Mode (198,18,4,10,", await LabFtp.FtplibAsync(outside, gatehouse.Target("198.18.4.10", certificate), "pasv"), StringComparison.Ordinal);
        Assert.Contains("227 Entering Passive Mode (10,40,0,10,", await LabFtp.FtplibAsync(inside, gatehouse.Target("10.40.0.10", certificate), "pasv"), StringComparison.Ordinal);
        await LabFtp.AllClientsAsync(outside, gatehouse.Target("198.18.4.10", certificate), active: true);
        await LabFtp.AllClientsAsync(inside, gatehouse.Target("10.40.0.10", certificate), active: true);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    public async Task Firewall_that_forgets_idle_connections_keeps_the_session_only_with_control_keep_alive(int keepAliveSeconds, bool survives)
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.IdleDroppingFirewallAsync(lab);

        using var certificate = new LabCertificate("10.50.2.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate, ("Ftp__ControlKeepAliveSeconds", keepAliveSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        TestFiles.CreateBig(gatehouse, size: 32L << 20);

        // The download is read slowly for 8 s while the control connection carries nothing.
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "slow-download", "--host", "10.50.2.10", "--port", "2121", "--user", "alice", "--password", GatehouseServer.Password,
             "--tls", "--cafile", certificate.CertificateFile, "--seconds", "8", "--timeout", "6"],
            TimeSpan.FromMinutes(1), networkNamespace: client.Namespace);
        if (survives)
        {
            Assert.True(code == 0, $"slow download through the firewall failed:\n{output}\n--- server log ---\n{Clients.Tail(gatehouse.Output)}");
            Assert.Contains("OK slow-download 33554432 bytes", output, StringComparison.Ordinal);
        }
        else
        {
            // The control experiment: without keep-alive the firewall drops the 226, as it does in the field.
            Assert.True(code != 0, $"without keep-alive the session should have been cut:\n{output}");
            Assert.Contains("timed out", output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// curl with --limit-rate writes a buffer at once and then sleeps to keep to the rate, so the data connection of an
    /// upload carries nothing for seconds: longer than this NAT remembers the flow. Keep-alive on the data connection
    /// keeps it; without it the upload hangs (the control experiment).
    /// </summary>
    [Theory]
    [InlineData(false, 1, true)]
    [InlineData(true, 1, true)]
    [InlineData(false, 0, false)]
    public async Task A_rate_limited_upload_through_a_nat_that_forgets_idle_flows_survives_with_data_keep_alive(bool tls, int dataKeepAliveSeconds, bool survives)
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.ClientBehindNatAsync(lab, forgetIdleAfterSeconds: 4);
        using var certificate = new LabCertificate("198.18.1.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate,
            ("Tls__Policy", tls ? "Required" : "Optional"),
            ("Ftp__ControlKeepAliveSeconds", "1"),
            ("Ftp__DataKeepAliveSeconds", dataKeepAliveSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var work = Directory.CreateTempSubdirectory("gatehouse-lab-rate-");
        try
        {
            var upload = Clients.RandomFile(work.FullName, "slow.bin", 128 * 1024);
            var (code, output) = await Clients.RunAsync("curl",
            [
                "--silent", "--show-error", "--max-time", "40", "--limit-rate", "8k", "--user", $"alice:{GatehouseServer.Password}",
                .. tls ? ["--ssl-reqd", "--cacert", certificate.CertificateFile] : Array.Empty<string>(),
                "-T", upload, $"ftp://198.18.1.10:{LabFtp.ControlPort}/slow.bin",
            ], TimeSpan.FromMinutes(1), networkNamespace: client.Namespace);
            var stored = Path.Combine(gatehouse.Home("alice"), "slow.bin");
            if (survives)
            {
                Assert.True(code == 0, $"the rate-limited upload through the NAT failed (exit {code}):\n{output}\n--- server log ---\n{Clients.Tail(gatehouse.Output)}");
                Assert.Equal(await File.ReadAllBytesAsync(upload), await File.ReadAllBytesAsync(stored));
            }
            else
            {
                Assert.True(code != 0, $"without data keep-alive the NAT should have cut the upload:\n{output}");
                Assert.False(File.Exists(stored));
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Ipv6_only_network_uses_epsv_and_eprt()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var client = await lab.AddHostAsync("client");
        var server = await lab.AddHostAsync("server");
        await NetworkLab.LinkAsync(client, "fd00:6::2/64", server, "fd00:6::10/64");

        using var certificate = new LabCertificate("fd00:6::10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate);
        var transcript = await LabFtp.FtplibAsync(client, gatehouse.Target("fd00:6::10", certificate), "epsv");
        Assert.Contains("229 Entering Extended Passive Mode (|||", transcript, StringComparison.Ordinal);
        await LabFtp.AllClientsAsync(client, gatehouse.Target("fd00:6::10", certificate), active: true);
    }
}
