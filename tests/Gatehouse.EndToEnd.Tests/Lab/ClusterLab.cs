using System.Globalization;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>What the cluster lab tests share: topology 7's addresses, its nodes, its user and its clients.</summary>
public static partial class ClusterLab
{
    public const string PublicAddress = "198.18.7.1";
    public const int HealthPort = 8021;

    public static async Task AddUserAsync(LabCertificate certificate, string store, string home)
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-lab-cli-");
        try
        {
            var settings = LabFtp.ServerSettings(certificate, ("DataDirectory", data.FullName), ("AccountStore__Provider", "PostgreSql"), ("AccountStore__ConnectionString", store));
            var (code, output) = await GatehouseServer.RunCliAsync(settings, GatehouseServer.Password + "\n", "user", "add", "alice", "--password-stdin", "--home", home);
            Assert.True(code == 0, output);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    public static Task<GatehouseServer> StartNodeAsync(
        LabHost host, string name, string passivePorts, string store, LabCertificate certificate, params (string Key, string Value)[] more) =>
        GatehouseServer.StartAsync(
            LabFtp.ServerSettings(
                certificate,
                [
                    ("Ftp__PassivePorts", passivePorts),
                    ("Ftp__PassiveAddress", PublicAddress),
                    ("Ftp__TrustedProxies__0", "10.70.0.0/16"),
                    ("AccountStore__Provider", "PostgreSql"),
                    ("AccountStore__ConnectionString", store),
                    ("Cluster__NodeName", name),
                    ("Cluster__HealthPort", HealthPort.ToString(CultureInfo.InvariantCulture)),
                    ("Limits__MaxSessionsPerIp", "200"),
                    ("Limits__ShutdownGraceSeconds", "20"),
                    .. more,
                ]),
            users: [],
            listen: ["::"],
            networkNamespace: host.Namespace);

    public static async Task SessionsAsync(LabHost client, LabCertificate certificate, int count)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "concurrent", .. Common(certificate), "--count", count.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(4), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"{count} sessions through the balancer failed (exit {code}):\n{output}");
        Assert.Contains($"OK concurrent {count} sessions", output, StringComparison.Ordinal);
    }

    public static async Task<string> SlowDownloadAsync(LabHost client, LabCertificate certificate)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "slow-download", .. Common(certificate), "--seconds", "4"],
            TimeSpan.FromMinutes(2), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"slow download through the balancer failed (exit {code}):\n{output}");
        return output;
    }

    public static string[] Common(LabCertificate certificate) =>
        ["--host", PublicAddress, "--port", LabFtp.ControlPort.ToString(CultureInfo.InvariantCulture), "--user", "alice", "--password", GatehouseServer.Password, "--tls", "--cafile", certificate.CertificateFile];

    public static int Sessions(GatehouseServer node) => SessionStarted().Count(node.Output);

    [GeneratedRegex("Session started")]
    private static partial Regex SessionStarted();
}
