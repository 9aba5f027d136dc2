using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// `gatehouse doctor` run by a client in topologies 1, 2, 3, 5 and 8 of the network lab, with and without the settings
/// each one needs: every finding it reports is one the lab really causes, and a sound set-up gets none.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed partial class DoctorLabTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Client_behind_nat_passes_in_passive_mode_and_is_told_active_mode_is_refused()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.ClientBehindNatAsync(lab);
        using var certificate = new LabCertificate("198.18.1.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate);

        var (code, output) = await DoctorAsync(client, "198.18.1.10", certificate);
        Assert.True(code == 0, output);

        (code, output) = await DoctorAsync(client, "198.18.1.10", certificate, "--active");
        Assert.Equal(1, code);
        Assert.StartsWith("The server refuses active mode: \"5", Assert.Single(Findings(output)), StringComparison.Ordinal);
        Assert.Contains("may only connect back to your own address (198.18.1.1), not 192.168.1.2", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_behind_nat_without_a_passive_address_is_told_to_set_it_and_passes_once_it_is_set()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (internet, lan, server) = await Topologies.ServerBehindNatAsync(lab);
        using var certificate = new LabCertificate("198.18.2.1", "172.16.0.10");
        await using (var unset = await LabFtp.StartServerAsync(server, certificate))
        {
            var (code, output) = await DoctorAsync(internet, "198.18.2.1", certificate);
            Assert.Equal(1, code);
            Assert.Equal(
                ["PASV names the private address 172.16.0.10, but you reach the server at 198.18.2.1: the data connection to 172.16.0.10:"],
                Findings(output).Select(finding => finding[..finding.IndexOf(":5", StringComparison.Ordinal)] + ":"));
            Assert.Contains("Fix: Set the address the server announces to 198.18.2.1 or its public name (Gatehouse: Ftp:PassiveAddress).", output, StringComparison.Ordinal);
            Assert.Contains("ok    EPSV", output, StringComparison.Ordinal);
            Assert.Contains("ok    upload and download", output, StringComparison.Ordinal);
        }

        await using var configured = await LabFtp.StartServerAsync(server, certificate,
            ("Ftp__PassiveAddress", "198.18.2.1"),
            ("Ftp__PassiveAddressOverrides__0__Network", "172.16.0.0/16"),
            ("Ftp__PassiveAddressOverrides__0__Address", "172.16.0.10"));
        var (fixedCode, fixedOutput) = await DoctorAsync(internet, "198.18.2.1", certificate);
        Assert.True(fixedCode == 0, fixedOutput);
        var (lanCode, lanOutput) = await DoctorAsync(lan, "172.16.0.10", certificate);
        Assert.True(lanCode == 0, lanOutput);
    }

    [Fact]
    public async Task Server_behind_nat_that_forwards_only_the_control_port_is_told_to_forward_the_passive_range()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (internet, _, server) = await Topologies.ServerBehindNatAsync(lab, forwardPassive: false);
        using var certificate = new LabCertificate("198.18.2.1");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate, ("Ftp__PassiveAddress", "198.18.2.1"));

        // The port is not forwarded, so it is the router itself that answers, and it has nothing listening there.
        var (code, output) = await DoctorAsync(internet, "198.18.2.1", certificate, "--timeout", "3");
        Assert.Equal(1, code);
        var findings = Findings(output);
        Assert.Equal(3, findings.Count);
        Assert.StartsWith("The passive port 5", findings[0], StringComparison.Ordinal);
        Assert.True(findings[0].Contains("that EPSV announced cannot be reached at 198.18.2.1 (connection refused): the firewall or NAT router in front of the server does not let the passive port range through.", StringComparison.Ordinal), findings[0]);
        Assert.Contains("that PASV announced cannot be reached at 198.18.2.1", findings[1], StringComparison.Ordinal);
        Assert.StartsWith("No passive data connection worked", findings[2], StringComparison.Ordinal);
        Assert.Contains("Fix: Allow (and on a NAT router, forward) the server's whole passive port range to the server (Gatehouse: Ftp:PassivePorts).", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_router_that_rewrites_plain_ftp_is_caught_by_comparing_with_tls()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (internet, _, server) = await Topologies.ServerBehindNatAsync(lab, ftpHelper: true);
        using var certificate = new LabCertificate("198.18.2.1", "172.16.0.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate, ("Tls__Policy", "Optional"));

        // In plain text the router's helper rewrites PASV, so plain FTP works and hides the missing setting...
        var (code, output) = await DoctorAsync(internet, "198.18.2.1", certificate, "--plain");
        Assert.Equal(1, code);
        Assert.Contains("ok    PASV                 198.18.2.1:", output, StringComparison.Ordinal);
        Assert.Equal(
            ["A router rewrites FTP on plain connections (an FTP ALG): PASV named 198.18.2.1 in plain text but 172.16.0.10 inside TLS, which the router cannot read, so TLS clients get 172.16.0.10."],
            Findings(output));

        // ...which TLS, where the helper is blind, shows as it is.
        (code, output) = await DoctorAsync(internet, "198.18.2.1", certificate);
        Assert.Equal(1, code);
        Assert.StartsWith("PASV names the private address 172.16.0.10, but you reach the server at 198.18.2.1", Assert.Single(Findings(output)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restrictive_firewalls_pass_in_passive_mode_and_show_active_mode_blocked()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.RestrictiveFirewallsAsync(lab);
        using var certificate = new LabCertificate("10.30.0.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate);

        var (code, output) = await DoctorAsync(client, "10.30.0.10", certificate, "--active");
        Assert.Equal(1, code);
        var finding = Assert.Single(Findings(output));
        Assert.StartsWith("Active mode does not work: the server could not connect back to 10.30.0.2:", finding, StringComparison.Ordinal);
        Assert.Contains("425 Could not connect to your active-mode port", finding, StringComparison.Ordinal);
        Assert.Contains("ok    EPSV", output, StringComparison.Ordinal);
        Assert.Contains("ok    PASV", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    public async Task A_firewall_that_forgets_idle_connections_is_found_by_a_long_transfer_unless_keep_alive_is_on(int keepAliveSeconds, bool survives)
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.IdleDroppingFirewallAsync(lab);
        using var certificate = new LabCertificate("10.50.2.10");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate, ("Ftp__ControlKeepAliveSeconds", keepAliveSeconds.ToString(CultureInfo.InvariantCulture)));

        var (code, output) = await DoctorAsync(client, "10.50.2.10", certificate, "--long-transfer", "6", "--timeout", "4");
        if (survives)
        {
            Assert.True(code == 0, output);
            Assert.Contains("ok    long transfer        6 s upload, and the control connection still answers", output, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(1, code);
            Assert.StartsWith("The control connection was dead after a 6-second transfer (no reply within 4 s)", Assert.Single(Findings(output)), StringComparison.Ordinal);
            Assert.Contains("Fix: Turn on control-connection keep-alive below the firewall's idle time-out (Gatehouse: Ftp:ControlKeepAliveSeconds)", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_tunnel_that_drops_large_packets_is_named_as_a_path_mtu_black_hole_and_passes_with_max_segment_size()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.TunnelDroppingLargePacketsAsync(lab);
        using var certificate = new LabCertificate(rsa: true, "10.78.2.2");
        await using (var unset = await LabFtp.StartServerAsync(server, certificate))
        {
            var (code, output) = await DoctorAsync(client, "10.78.2.2", certificate, "--timeout", "5");
            Assert.Equal(1, code);
            var finding = Assert.Single(Findings(output));
            Assert.StartsWith("Large packets are lost between you and the server: the TLS handshake stalled (no TLS handshake within 5 s) and worked when retried with TCP segments of at most 1000 bytes.", finding, StringComparison.Ordinal);
            Assert.Contains("path-MTU black hole", finding, StringComparison.Ordinal);
            Assert.Contains("tcp flags syn tcp option maxseg size set rt mtu", output, StringComparison.Ordinal);
            Assert.Contains("Gatehouse: Ftp:MaxSegmentSize 1200", output, StringComparison.Ordinal);

            // The rest of the run goes on over small segments, and finds nothing else.
            Assert.Contains("ok    upload and download", output, StringComparison.Ordinal);
        }

        await using var configured = await LabFtp.StartServerAsync(server, certificate, ("Ftp__MaxSegmentSize", "1200"));
        var (fixedCode, fixedOutput) = await DoctorAsync(client, "10.78.2.2", certificate, "--timeout", "5", "--active");
        Assert.True(fixedCode == 0, fixedOutput);
    }

    [Fact]
    public async Task Over_plain_ftp_a_tunnel_that_drops_large_packets_is_named_from_the_stalled_upload()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.TunnelDroppingLargePacketsAsync(lab);
        using var certificate = new LabCertificate(rsa: true, "10.78.2.2");
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate, ("Tls__Policy", "Optional"));

        // Without TLS every reply is small; the first large packets are the upload's.
        var (code, output) = await DoctorAsync(client, "10.78.2.2", certificate, "--plain", "--timeout", "5");
        Assert.Equal(1, code);
        var finding = Assert.Single(Findings(output));
        Assert.StartsWith("Large packets are lost between you and the server: the upload stalled (", finding, StringComparison.Ordinal);
        Assert.Contains("worked when retried with TCP segments of at most 1000 bytes", finding, StringComparison.Ordinal);
        Assert.Contains("ok    small segments       on a new session with TCP segments of at most 1000 bytes the upload and download worked", output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> DoctorAsync(LabHost client, string address, LabCertificate certificate, params string[] options)
    {
        var plain = options.Contains("--plain");
        var host = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
        var url = $"{(plain ? "ftp" : "ftps")}://alice@{host}:{LabFtp.ControlPort.ToString(CultureInfo.InvariantCulture)}";
        var (code, output) = await DoctorRun.RunAsync(url, client.Namespace, ["--ca-file", certificate.CertificateFile, .. options.Where(option => option != "--plain")]);
        log.WriteLine($"$ gatehouse doctor {url} {string.Join(' ', options)} (exit {code})\n{output}");
        return (code, output);
    }

    /// <summary>The findings the doctor printed, without their numbers and fixes.</summary>
    private static List<string> Findings(string output) =>
        FindingLine().Matches(output).Select(match => match.Groups["problem"].Value.TrimEnd()).ToList();

    [GeneratedRegex(@"^  \d+\. (?<problem>.*)$", RegexOptions.Multiline)]
    private static partial Regex FindingLine();
}
