using System.Globalization;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Gatehouse and the real clients inside lab hosts: explicit TLS with PROT P, the certificate verified by every
/// client, and an upload, a LIST and a byte-exact download per run.
/// </summary>
public static class LabFtp
{
    public const int ControlPort = 2121;

    /// <summary>Twenty ports: the narrow range a firewall administrator forwards.</summary>
    public const string PassiveRange = "50000-50019";

    private static int _fileCounter;

    public static async Task<GatehouseServer> StartServerAsync(LabHost host, LabCertificate certificate, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string>
        {
            ["Ftp__ExplicitPort"] = ControlPort.ToString(CultureInfo.InvariantCulture),
            ["Ftp__PassivePorts"] = PassiveRange,
            ["Tls__CertificateFile"] = certificate.CertificateFile,
            ["Tls__KeyFile"] = certificate.KeyFile,
            ["Limits__DataConnectionTimeoutSeconds"] = "10",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return await GatehouseServer.StartAsync(all, listen: ["::"], networkNamespace: host.Namespace);
    }

    /// <param name="mode">pasv, epsv, port or eprt.</param>
    public static async Task<string> FtplibAsync(LabHost client, string server, GatehouseServer gatehouse, LabCertificate certificate, string mode)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "exchange", .. Common(server, certificate), "--mode", mode, "--size", "300000", "--name", NextName("ftplib")],
            TimeSpan.FromMinutes(2), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"ftplib {mode} from {client.Role} to {server} failed (exit {code}):\n{output}\n--- server log ---\n{Clients.Tail(gatehouse.Output)}");
        return output;
    }

    /// <summary>ftplib in active mode, which must be refused with a reply that explains it (<paramref name="expected"/> 4xx or 5xx).</summary>
    public static async Task<string> FtplibActiveRefusedAsync(LabHost client, string server, GatehouseServer gatehouse, LabCertificate certificate, string expected)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "active-refused", .. Common(server, certificate), "--mode", "port", "--how", expected],
            TimeSpan.FromMinutes(2), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"ftplib active-refused from {client.Role} failed (exit {code}):\n{output}\n--- server log ---\n{Clients.Tail(gatehouse.Output)}");
        return output;
    }

    /// <summary>curl's explicit TLS upload, directory listing and download; <paramref name="epsv"/> false forces PASV.</summary>
    public static async Task CurlAsync(LabHost client, string server, GatehouseServer gatehouse, LabCertificate certificate, bool epsv)
    {
        var work = Directory.CreateTempSubdirectory("gatehouse-lab-curl-");
        try
        {
            var name = NextName("curl");
            var local = Clients.RandomFile(work.FullName, "up.bin", 300_000);
            var root = $"ftp://{UrlHost(server)}:{ControlPort}/";
            string[] common =
            [
                "--silent", "--show-error", "--max-time", "60", "--ssl-reqd", "--tls-max", "1.2", "--cacert", certificate.CertificateFile,
                "--user", $"alice:{GatehouseServer.Password}", .. epsv ? Array.Empty<string>() : ["--disable-epsv"],
            ];
            await CurlStepAsync(client, gatehouse, [.. common, "-T", local, root + name]);
            var listing = await CurlStepAsync(client, gatehouse, [.. common, root]);
            Assert.Contains(name, listing, StringComparison.Ordinal);
            var back = Path.Combine(work.FullName, "back.bin");
            await CurlStepAsync(client, gatehouse, [.. common, "-o", back, root + name]);
            Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(back));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>lftp with TLS forced on control, data and listings: put, ls, get.</summary>
    public static async Task LftpAsync(LabHost client, string server, GatehouseServer gatehouse, LabCertificate certificate, bool passive, bool preferEpsv = true)
    {
        var work = Directory.CreateTempSubdirectory("gatehouse-lab-lftp-");
        try
        {
            var name = NextName("lftp");
            var local = Clients.RandomFile(work.FullName, "up.bin", 300_000);
            var settings = string.Join("; ",
                $"set ssl:ca-file {certificate.CertificateFile}", "set ftp:ssl-force true", "set ftp:ssl-protect-data true", "set ftp:ssl-protect-list true",
                $"set ftp:passive-mode {(passive ? "true" : "false")}", $"set ftp:prefer-epsv {(preferEpsv ? "true" : "false")}",
                "set ftp:fix-pasv-address false", "set net:max-retries 1", "set net:timeout 20", "set cmd:fail-exit true");
            var (code, output) = await Clients.RunAsync("lftp",
                ["-u", $"alice,{GatehouseServer.Password}", "-p", ControlPort.ToString(CultureInfo.InvariantCulture),
                 "-e", $"{settings}; put up.bin -o {name}; cls -l; get {name} -o back.bin; bye", server],
                TimeSpan.FromMinutes(2), work.FullName, client.Namespace);
            Assert.True(code == 0, $"lftp (passive {passive}) from {client.Role} to {server} failed (exit {code}): {output}\n--- server log ---\n{Clients.Tail(gatehouse.Output)}");
            Assert.Contains(name, output, StringComparison.Ordinal);
            Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(Path.Combine(work.FullName, "back.bin")));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Every client, every passive method (and active where <paramref name="active"/>): the full matrix for one topology.</summary>
    public static async Task AllClientsAsync(LabHost client, string server, GatehouseServer gatehouse, LabCertificate certificate, bool active)
    {
        var ipv6 = server.Contains(':', StringComparison.Ordinal);
        // PASV and PORT cannot describe IPv6 addresses: there, EPSV and EPRT are the only methods.
        IEnumerable<string> modes = ipv6 ? ["epsv"] : ["pasv", "epsv"];
        if (active)
        {
            modes = modes.Concat(ipv6 ? ["eprt"] : ["port", "eprt"]);
        }

        foreach (var mode in modes)
        {
            await FtplibAsync(client, server, gatehouse, certificate, mode);
        }

        await CurlAsync(client, server, gatehouse, certificate, epsv: true);
        if (!ipv6)
        {
            await CurlAsync(client, server, gatehouse, certificate, epsv: false);
        }

        await LftpAsync(client, server, gatehouse, certificate, passive: true);
        if (!ipv6)
        {
            await LftpAsync(client, server, gatehouse, certificate, passive: true, preferEpsv: false);
        }

        if (active)
        {
            await LftpAsync(client, server, gatehouse, certificate, passive: false);
        }
    }

    private static string[] Common(string server, LabCertificate certificate) =>
    [
        "--host", server, "--port", ControlPort.ToString(CultureInfo.InvariantCulture), "--user", "alice", "--password", GatehouseServer.Password,
        "--tls", "--cafile", certificate.CertificateFile,
    ];

    private static async Task<string> CurlStepAsync(LabHost client, GatehouseServer gatehouse, string[] arguments)
    {
        var (code, output) = await Clients.RunAsync("curl", arguments, TimeSpan.FromMinutes(2), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"curl {string.Join(' ', arguments.Where(a => !a.Contains(GatehouseServer.Password, StringComparison.Ordinal)))} from {client.Role} failed (exit {code}): {output}\n--- server log ---\n{Clients.Tail(gatehouse.Output)}");
        return output;
    }

    private static string UrlHost(string address) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;

    private static string NextName(string client) => $"{client}-{Interlocked.Increment(ref _fileCounter)}.bin";
}
