using System.Globalization;
using System.Text.RegularExpressions;
using Gatehouse.Tests.Shared;
using Npgsql;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Topology 7 with one passive range shared by both nodes (Cluster:RelayPort): HAProxy sends every connection,
/// control or data, round-robin to either node, with no stickiness and no per-node port mapping.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed partial class RelayClusterTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    // A transfer holds its port until it ends (the port is watched for a second connection), and all 60 sessions come
    // from the balancer's one address: they need more ports than sessions.
    private const string Range = "50000-50099";
    private const int RelayPort = 2100;

    /// <summary>The configuration docs/cluster.md documents for a shared range, with the lab's addresses.</summary>
    private static readonly string SharedRangeConfiguration = Configuration(
        """
            balance roundrobin
            option httpchk GET /health
            http-check expect status 200
            server node1 10.70.1.11:2121 send-proxy-v2 check port 8021 inter 500 fall 1 rise 1
            server node2 10.70.2.12:2121 send-proxy-v2 check port 8021 inter 500 fall 1 rise 1
        """,
        """
            balance roundrobin
            server node1 10.70.1.11 send-proxy-v2
            server node2 10.70.2.12 send-proxy-v2
        """);

    [Fact]
    public async Task Any_node_takes_any_data_connection_and_relays_it_to_the_session_that_waits_for_it()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, balancer, firstHost, secondHost) = await Topologies.BalancedClusterAsync(lab);
        // The nodes reach each other's relay port through the balancer host, as across a cluster network.
        await balancer.ForwardAsync();
        await firstHost.RouteAsync("10.70.2.0/24", "10.70.1.1");
        await secondHost.RouteAsync("10.70.1.0/24", "10.70.2.1");
        using var certificate = new LabCertificate(ClusterLab.PublicAddress);
        var store = new NpgsqlConnectionStringBuilder(postgres.CreateDatabase()) { Host = postgres.SocketDirectory }.ToString();
        var shared = Directory.CreateTempSubdirectory("gatehouse-lab-shared-");
        try
        {
            await ClusterLab.AddUserAsync(certificate, store, Path.Combine(shared.FullName, "alice"));
            await using var first = await StartNodeAsync(firstHost, "node1", "10.70.1.11", store, certificate);
            await using var second = await StartNodeAsync(secondHost, "node2", "10.70.2.12", store, certificate);

            await using (var haproxy = await HaproxyBalancer.StartAsync(balancer, SharedRangeConfiguration, LabFtp.ControlPort))
            {
                await haproxy.WaitForServerAsync("nodes", "node1", "UP");
                await haproxy.WaitForServerAsync("nodes", "node2", "UP");
                // 60 TLS sessions, each an upload and a download: about half the data connections land on the other node.
                await ClusterLab.SessionsAsync(client, certificate, 60);
            }

            var (firstRelayed, secondRelayed) = (Relayed(first), Relayed(second));
            output.WriteLine($"60 sessions, 120 data connections: node1 relayed {firstRelayed} to node2, node2 relayed {secondRelayed} to node1");
            Assert.True(firstRelayed > 0 && secondRelayed > 0, "round-robin should have sent data connections to the other node in both directions");
            Assert.Equal(firstRelayed, ArrivedRelayed(second));
            Assert.Equal(secondRelayed, ArrivedRelayed(first));
            foreach (var node in new[] { first, second })
            {
                Assert.DoesNotContain("refused: no session from that address", node.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("Could not relay", node.Output, StringComparison.Ordinal);
            }

            // The cost, reported (not asserted: timings belong to benchmarks): the same transfers with the control
            // connection on node1 and the data connections sent to node1 (direct) or to node2 (every byte relayed).
            var direct = await MeasureAsync(balancer, client, certificate, second, dataTo: "10.70.1.11");
            var relayed = await MeasureAsync(balancer, client, certificate, second, dataTo: "10.70.2.12");
            output.WriteLine($"direct (data to the control node): {direct.Rates}; node2 CPU {direct.RelayCpu:0.00} s");
            output.WriteLine($"relayed (data to the other node):  {relayed.Rates}; node2 CPU {relayed.RelayCpu:0.00} s");
            Assert.Equal(0, direct.Relayed);
            Assert.Equal(Transfers, relayed.Relayed);
        }
        finally
        {
            shared.Delete(recursive: true);
        }
    }

    private static Task<GatehouseServer> StartNodeAsync(LabHost host, string name, string address, string store, LabCertificate certificate) =>
        ClusterLab.StartNodeAsync(host, name, Range, store, certificate,
            ("Cluster__RelayPort", RelayPort.ToString(CultureInfo.InvariantCulture)), ("Cluster__RelayAddress", address));

    /// <summary>Three uploads and three downloads of 32 MiB.</summary>
    private const int Transfers = 6;

    private static async Task<(string Rates, double RelayCpu, int Relayed)> MeasureAsync(LabHost balancer, LabHost client, LabCertificate certificate, GatehouseServer relay, string dataTo)
    {
        var configuration = Configuration("    server node1 10.70.1.11:2121 send-proxy-v2", $"    server data {dataTo} send-proxy-v2");
        await using var haproxy = await HaproxyBalancer.StartAsync(balancer, configuration, LabFtp.ControlPort);
        var (cpuBefore, relayedBefore) = (CpuSeconds(relay.ProcessId), Relayed(relay));
        var (code, result) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "throughput", .. ClusterLab.Common(certificate), "--size", (32 << 20).ToString(CultureInfo.InvariantCulture), "--count", (Transfers / 2).ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(4), networkNamespace: client.Namespace);
        Assert.True(code == 0, result);
        var rates = ThroughputLine().Match(result);
        Assert.True(rates.Success, result);
        await Task.Delay(500); // the node's last log lines are still on their way to the test
        return (rates.Value, CpuSeconds(relay.ProcessId) - cpuBefore, Relayed(relay) - relayedBefore);
    }

    /// <summary>HAProxy in TCP mode: control connections to <paramref name="nodes"/>, the whole passive range to <paramref name="passive"/>.</summary>
    private static string Configuration(string nodes, string passive) => $"""
        defaults
            mode tcp
            timeout connect 5s
            timeout client 120s
            timeout server 120s

        frontend ftp
            bind 198.18.7.1:2121
            default_backend nodes

        backend nodes
        {nodes}

        frontend passive
            bind 198.18.7.1:{Range}
            default_backend passive

        backend passive
        {passive}
        """;

    /// <summary>User plus system CPU time of a process, from /proc (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int Relayed(GatehouseServer node) => RelayedLine().Count(node.Output);

    private static int ArrivedRelayed(GatehouseServer node) => ArrivedLine().Count(node.Output);

    [GeneratedRegex("belongs to node .*: relaying it to")]
    private static partial Regex RelayedLine();

    [GeneratedRegex("arrived relayed by node")]
    private static partial Regex ArrivedLine();

    [GeneratedRegex("up [0-9.]+ MB/s down [0-9.]+ MB/s")]
    private static partial Regex ThroughputLine();
}
