using System.Globalization;
using System.Text.RegularExpressions;
using Gatehouse.Tests.Shared;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Topology 7 with one passive range shared by both nodes (Cluster:RelayPort): HAProxy sends every connection,
/// control or data, round-robin to either node, with no stickiness and no per-node port mapping.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed partial class RelayClusterTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Any_node_takes_any_data_connection_and_relays_it_to_the_session_that_waits_for_it()
    {
        await using var cluster = await BalancedClusterLab.StartAsync(postgres, relayed: true);
        var (client, certificate, first, second) = (cluster.Client, cluster.Certificate, cluster.First, cluster.Second);
        await using (await cluster.BalanceAsync())
        {
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
        var direct = await MeasureAsync(cluster.Balancer, client, certificate, second, dataTo: "10.70.1.11");
        var relayed = await MeasureAsync(cluster.Balancer, client, certificate, second, dataTo: "10.70.2.12");
        output.WriteLine($"direct (data to the control node): {direct.Rates}; node2 CPU {direct.RelayCpu:0.00} s");
        output.WriteLine($"relayed (data to the other node):  {relayed.Rates}; node2 CPU {relayed.RelayCpu:0.00} s");
        Assert.Equal(0, direct.Relayed);
        Assert.Equal(Transfers, relayed.Relayed);
    }

    /// <summary>Three uploads and three downloads of 32 MiB.</summary>
    private const int Transfers = 6;

    private static async Task<(string Rates, double RelayCpu, int Relayed)> MeasureAsync(LabHost balancer, LabHost client, LabCertificate certificate, GatehouseServer relay, string dataTo)
    {
        var configuration = BalancedClusterLab.Configuration("    server node1 10.70.1.11:2121 send-proxy-v2", $"    server data {dataTo} send-proxy-v2");
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
