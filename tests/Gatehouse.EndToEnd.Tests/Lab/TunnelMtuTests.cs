namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Gatehouse behind lab topology 8 ("tunnel-mtu", <see cref="Topologies.TunnelDroppingLargePacketsAsync"/>): a tunnel
/// that loses every packet over 1280 bytes without saying so. The certificate is RSA, as most public ones are, so the
/// server's TLS flight is larger than one small packet.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class TunnelMtuTests
{
    private const string Server = "10.78.2.2";
    private const string ServerIpv6 = "fd00:78:2::2";

    /// <summary>curl's exit code for "operation timed out": a network fault, not a refusal or a certificate error.</summary>
    private const int CurlTimedOut = 28;

    [Fact]
    public async Task Without_max_segment_size_the_greeting_arrives_but_tls_and_large_transfers_stall()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.TunnelDroppingLargePacketsAsync(lab);
        using var certificate = new LabCertificate(rsa: true, Server, ServerIpv6);
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate, ("Tls__Policy", "Optional"));
        var work = Directory.CreateTempSubdirectory("gatehouse-lab-mtu-");
        try
        {
            string[] common = ["--silent", "--show-error", "--max-time", "15", "--user", $"alice:{GatehouseServer.Password}"];
            var root = $"ftp://{Server}:{LabFtp.ControlPort}/";

            var (code, output) = await Clients.RunAsync("curl", [.. common, "--ssl-reqd", "--cacert", certificate.CertificateFile, root],
                TimeSpan.FromMinutes(1), networkNamespace: client.Namespace);
            Assert.True(code == CurlTimedOut, $"the TLS listing should have stalled (exit {code}):\n{output}");

            // In plain text the control connection works (small packets); a 300 kB upload does not.
            (code, output) = await Clients.RunAsync("curl", [.. common, root], TimeSpan.FromMinutes(1), networkNamespace: client.Namespace);
            Assert.True(code == 0, $"a plain listing should have passed (exit {code}):\n{output}");
            var upload = Clients.RandomFile(work.FullName, "large.bin", 300_000);
            (code, output) = await Clients.RunAsync("curl", [.. common, "-T", upload, root + "large.bin"], TimeSpan.FromMinutes(1), networkNamespace: client.Namespace);
            Assert.True(code == CurlTimedOut, $"the plain upload should have stalled (exit {code}):\n{output}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task With_max_segment_size_1200_every_client_and_method_passes_over_ipv4_and_ipv6()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.TunnelDroppingLargePacketsAsync(lab);
        using var certificate = new LabCertificate(rsa: true, Server, ServerIpv6);
        await using var gatehouse = await LabFtp.StartServerAsync(server, certificate, ("Ftp__MaxSegmentSize", "1200"));

        // Active mode too: no NAT here, and the server's own data connections must be small as well.
        await LabFtp.AllClientsAsync(client, gatehouse.Target(Server, certificate), active: true);
        await LabFtp.AllClientsAsync(client, gatehouse.Target(ServerIpv6, certificate), active: true);
    }
}
