using System.Globalization;
using System.Text.RegularExpressions;
using Gatehouse.Tests.Shared;
using Npgsql;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Topology 7: HAProxy in TCP mode in front of two Gatehouse nodes that share a PostgreSQL account store and the
/// users' files, each with its own passive range forwarded by the balancer, PROXY protocol v2 on every connection.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed partial class ClusterTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const string PublicAddress = "198.18.7.1";
    private const int HealthPort = 8021;

    /// <summary>The configuration the README documents, with the lab's addresses.</summary>
    private const string BalancerConfiguration = """
        defaults
            mode tcp
            timeout connect 5s
            timeout client 120s
            timeout server 120s
            retries 2
            option redispatch

        frontend ftp
            bind 198.18.7.1:2121
            default_backend nodes

        backend nodes
            balance roundrobin
            option httpchk GET /health
            http-check expect status 200
            server node1 10.70.1.11:2121 send-proxy-v2 check port 8021 inter 500 fall 1 rise 1
            server node2 10.70.2.12:2121 send-proxy-v2 check port 8021 inter 500 fall 1 rise 1

        frontend node1-passive
            bind 198.18.7.1:50000-50059
            default_backend node1-passive

        backend node1-passive
            server node1 10.70.1.11 send-proxy-v2

        frontend node2-passive
            bind 198.18.7.1:50060-50119
            default_backend node2-passive

        backend node2-passive
            server node2 10.70.2.12 send-proxy-v2
        """;

    [Fact]
    public async Task Two_nodes_behind_haproxy_share_the_sessions_drain_without_cutting_transfers_and_survive_a_killed_node()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, balancer, firstHost, secondHost) = await Topologies.BalancedClusterAsync(lab);
        using var certificate = new LabCertificate(PublicAddress);
        var store = new NpgsqlConnectionStringBuilder(postgres.CreateDatabase()) { Host = postgres.SocketDirectory }.ToString();
        var shared = Directory.CreateTempSubdirectory("gatehouse-lab-shared-");
        try
        {
            await AddUserAsync(certificate, store, Path.Combine(shared.FullName, "alice"));
            await using var haproxy = await HaproxyBalancer.StartAsync(balancer, BalancerConfiguration, LabFtp.ControlPort);
            await using var first = await StartNodeAsync(firstHost, "node1", "50000-50059", store, certificate);
            await using var second = await StartNodeAsync(secondHost, "node2", "50060-50119", store, certificate);
            await haproxy.WaitForServerAsync("nodes", "node1", "UP");
            await haproxy.WaitForServerAsync("nodes", "node2", "UP");

            // 100 concurrent TLS sessions, each uploading and downloading its own file byte-exact, spread over both nodes.
            await SessionsAsync(client, certificate, 100);
            Assert.Equal(100, Directory.GetFiles(Path.Combine(shared.FullName, "alice"), "concurrent-*.bin").Length);
            output.WriteLine($"100 sessions: node1 took {Sessions(first)}, node2 {Sessions(second)}");
            Assert.InRange(Sessions(first), 30, 70);
            Assert.InRange(Sessions(second), 30, 70);
            foreach (var node in new[] { first, second })
            {
                // The nodes see the client's own address (from the PROXY header), never the balancer's.
                Assert.Contains("198.18.7.2", node.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("Data connection from", node.Output, StringComparison.Ordinal);
            }

            // Slow downloads on both nodes; node1 is drained while they run.
            await File.WriteAllBytesAsync(Path.Combine(shared.FullName, "alice", "big.bin"), RandomBytes(8 << 20));
            var firstBefore = Sessions(first);
            var downloads = Enumerable.Range(0, 4).Select(_ => SlowDownloadAsync(client, certificate)).ToArray();
            await WaitUntilAsync(() => Sessions(first) + Sessions(second) == 104, "the four slow downloads have their sessions");
            Assert.True(Sessions(first) > firstBefore, "no slow download went to node1, so its drain would prove nothing");
            await Task.Delay(1000);
            var (code, drained) = await first.RunCliAsync(null, "drain");
            Assert.True(code == 0, drained);
            await haproxy.WaitForServerAsync("nodes", "node1", "DOWN");
            var beforeDrain = Sessions(first);

            await SessionsAsync(client, certificate, 20);
            Assert.Equal(beforeDrain, Sessions(first));
            foreach (var download in downloads)
            {
                Assert.Contains("OK slow-download 8388608 bytes", await download, StringComparison.Ordinal);
            }

            output.WriteLine($"after the drain: node1 {Sessions(first)} sessions in all, node2 {Sessions(second)}");
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("Drained: the last session ended; stopping", first.Output, StringComparison.Ordinal);

            // node1 comes back; then node2 dies without warning, and new sessions are served by node1.
            await using var restarted = await StartNodeAsync(firstHost, "node1", "50000-50059", store, certificate);
            await haproxy.WaitForServerAsync("nodes", "node1", "UP");
            await second.KillAsync();
            await haproxy.WaitForServerAsync("nodes", "node2", "DOWN");
            await SessionsAsync(client, certificate, 10);
            Assert.Equal(10, Sessions(restarted));
        }
        finally
        {
            shared.Delete(recursive: true);
        }
    }

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static int Sessions(GatehouseServer node) => SessionStarted().Count(node.Output);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var waited = 0; waited < 200 && !condition(); waited++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), $"timed out waiting until {what}");
    }

    private static async Task AddUserAsync(LabCertificate certificate, string store, string home)
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

    private static Task<GatehouseServer> StartNodeAsync(LabHost host, string name, string passivePorts, string store, LabCertificate certificate) =>
        GatehouseServer.StartAsync(
            LabFtp.ServerSettings(
                certificate,
                ("Ftp__PassivePorts", passivePorts),
                ("Ftp__PassiveAddress", PublicAddress),
                ("Ftp__TrustedProxies__0", "10.70.0.0/16"),
                ("AccountStore__Provider", "PostgreSql"),
                ("AccountStore__ConnectionString", store),
                ("Cluster__NodeName", name),
                ("Cluster__HealthPort", HealthPort.ToString(CultureInfo.InvariantCulture)),
                ("Limits__MaxSessionsPerIp", "200"),
                ("Limits__ShutdownGraceSeconds", "20")),
            users: [],
            listen: ["::"],
            networkNamespace: host.Namespace);

    private static async Task SessionsAsync(LabHost client, LabCertificate certificate, int count)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "concurrent", .. Common(certificate), "--count", count.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(4), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"{count} sessions through the balancer failed (exit {code}):\n{output}");
        Assert.Contains($"OK concurrent {count} sessions", output, StringComparison.Ordinal);
    }

    private static async Task<string> SlowDownloadAsync(LabHost client, LabCertificate certificate)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "slow-download", .. Common(certificate), "--seconds", "4"],
            TimeSpan.FromMinutes(2), networkNamespace: client.Namespace);
        Assert.True(code == 0, $"slow download through the balancer failed (exit {code}):\n{output}");
        return output;
    }

    private static string[] Common(LabCertificate certificate) =>
        ["--host", PublicAddress, "--port", LabFtp.ControlPort.ToString(CultureInfo.InvariantCulture), "--user", "alice", "--password", GatehouseServer.Password, "--tls", "--cafile", certificate.CertificateFile];

    [GeneratedRegex("Session started")]
    private static partial Regex SessionStarted();
}
