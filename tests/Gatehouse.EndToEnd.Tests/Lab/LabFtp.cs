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

    /// <summary>Gatehouse at <paramref name="address"/>, as the lab's clients see it.</summary>
    public static LabTarget Target(this GatehouseServer gatehouse, string address, LabCertificate certificate) =>
        new(address, certificate, "alice", GatehouseServer.Password, () => gatehouse.Output);

    public static Task<GatehouseServer> StartServerAsync(LabHost host, LabCertificate certificate, params (string Key, string Value)[] settings) =>
        GatehouseServer.StartAsync(ServerSettings(certificate, settings), listen: ["::"], networkNamespace: host.Namespace);

    /// <summary>The lab's server settings: the control port and passive range its firewalls name, and its certificate.</summary>
    public static Dictionary<string, string> ServerSettings(LabCertificate certificate, params (string Key, string Value)[] settings)
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

        return all;
    }

    /// <param name="mode">pasv, epsv, port or eprt.</param>
    public static async Task<string> FtplibAsync(LabHost client, LabTarget target, string mode)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "exchange", .. Common(target), "--mode", mode, "--size", "300000", "--name", NextName("ftplib")],
            TimeSpan.FromMinutes(2), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"ftplib {mode} from {client.Role} to {target.Address} failed (exit {code}):\n{output}\n--- server log ---\n{Clients.Tail(target.Log())}");
        return output;
    }

    /// <summary>ftplib in active mode, which must be refused with a reply that explains it (<paramref name="expected"/> 4xx or 5xx).</summary>
    public static async Task<string> FtplibActiveRefusedAsync(LabHost client, LabTarget target, string expected)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "active-refused", .. Common(target), "--mode", "port", "--how", expected],
            TimeSpan.FromMinutes(2), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"ftplib active-refused from {client.Role} failed (exit {code}):\n{output}\n--- server log ---\n{Clients.Tail(target.Log())}");
        return output;
    }

    /// <summary>curl's explicit TLS upload, directory listing and download; <paramref name="epsv"/> false forces PASV.</summary>
    public static async Task CurlAsync(LabHost client, LabTarget target, bool epsv)
    {
        var work = Directory.CreateTempSubdirectory("gatehouse-lab-curl-");
        try
        {
            var name = NextName("curl");
            var local = Clients.RandomFile(work.FullName, "up.bin", 300_000);
            var root = $"ftp://{UrlHost(target.Address)}:{ControlPort}/";
            string[] common =
            [
                "--silent", "--show-error", "--max-time", "60", "--ssl-reqd", "--tls-max", "1.2", "--cacert", target.Certificate.CertificateFile,
                "--user", $"{target.User}:{target.Password}", .. epsv ? Array.Empty<string>() : ["--disable-epsv"],
            ];
            await CurlStepAsync(client, target, [.. common, "-T", local, root + name]);
            var listing = await CurlStepAsync(client, target, [.. common, root]);
            Assert.Contains(name, listing, StringComparison.Ordinal);
            var back = Path.Combine(work.FullName, "back.bin");
            await CurlStepAsync(client, target, [.. common, "-o", back, root + name]);
            Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(back));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>lftp with TLS forced on control, data and listings: put, ls, get.</summary>
    public static async Task LftpAsync(LabHost client, LabTarget target, bool passive, bool preferEpsv = true)
    {
        var work = Directory.CreateTempSubdirectory("gatehouse-lab-lftp-");
        try
        {
            var name = NextName("lftp");
            var local = Clients.RandomFile(work.FullName, "up.bin", 300_000);
            var settings = string.Join("; ",
                $"set ssl:ca-file {target.Certificate.CertificateFile}", "set ftp:ssl-force true", "set ftp:ssl-protect-data true", "set ftp:ssl-protect-list true",
                $"set ftp:passive-mode {(passive ? "true" : "false")}", $"set ftp:prefer-epsv {(preferEpsv ? "true" : "false")}",
                "set ftp:fix-pasv-address false", "set net:max-retries 1", "set net:timeout 20", "set cmd:fail-exit true");
            var (code, output) = await Clients.RunAsync("lftp",
                ["-d", "-u", $"{target.User},{target.Password}", "-p", ControlPort.ToString(CultureInfo.InvariantCulture),
                 "-e", $"{settings}; put up.bin -o {name}; cls -l; get {name} -o back.bin; bye", target.Address],
                TimeSpan.FromMinutes(2), work.FullName, client.Namespace);
            Assert.True(code == 0, $"lftp (passive {passive}) from {client.Role} to {target.Address} failed (exit {code}): {output}\n--- server log ---\n{Clients.Tail(target.Log())}");
            Assert.Contains(name, output, StringComparison.Ordinal);
            Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(Path.Combine(work.FullName, "back.bin")));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Every client, every passive method (and active where <paramref name="active"/>): the full matrix for one topology.</summary>
    public static async Task AllClientsAsync(LabHost client, LabTarget target, bool active)
    {
        var ipv6 = target.Address.Contains(':', StringComparison.Ordinal);
        // PASV and PORT cannot describe IPv6 addresses: there, EPSV and EPRT are the only methods.
        IEnumerable<string> modes = ipv6 ? ["epsv"] : ["pasv", "epsv"];
        if (active)
        {
            modes = modes.Concat(ipv6 ? ["eprt"] : ["port", "eprt"]);
        }

        foreach (var mode in modes)
        {
            await FtplibAsync(client, target, mode);
        }

        await CurlAsync(client, target, epsv: true);
        if (!ipv6)
        {
            await CurlAsync(client, target, epsv: false);
        }

        await LftpAsync(client, target, passive: true);
        if (!ipv6)
        {
            await LftpAsync(client, target, passive: true, preferEpsv: false);
        }

        if (active)
        {
            await LftpAsync(client, target, passive: false);
        }
    }

    private static string[] Common(LabTarget target) =>
    [
        "--host", target.Address, "--port", ControlPort.ToString(CultureInfo.InvariantCulture), "--user", target.User, "--password", target.Password,
        "--tls", "--cafile", target.Certificate.CertificateFile,
    ];

    private static async Task<string> CurlStepAsync(LabHost client, LabTarget target, string[] arguments)
    {
        var (code, output) = await Clients.RunAsync("curl", arguments, TimeSpan.FromMinutes(2), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"curl {string.Join(' ', arguments.Where(a => !a.Contains(target.Password, StringComparison.Ordinal)))} from {client.Role} failed (exit {code}): {output}\n--- server log ---\n{Clients.Tail(target.Log())}");
        return output;
    }

    private static string UrlHost(string address) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;

    private static string NextName(string client) => $"{client}-{Interlocked.Increment(ref _fileCounter)}.bin";
}

/// <summary>A server as the lab's clients reach it: the address they connect to, the certificate they trust, the account, and the server's log for failure messages.</summary>
public sealed record LabTarget(string Address, LabCertificate Certificate, string User, string Password, Func<string> Log);
