using Gatehouse.Tests.Shared;
using Npgsql;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Topology 7: HAProxy in TCP mode in front of two Gatehouse nodes that share a PostgreSQL account store and the
/// users' files, each with its own passive range forwarded by the balancer, PROXY protocol v2 on every connection.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class ClusterTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Two_nodes_behind_haproxy_share_the_sessions_drain_without_cutting_transfers_and_survive_a_killed_node()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, balancer, firstHost, secondHost) = await Topologies.BalancedClusterAsync(lab);
        using var certificate = new LabCertificate(ClusterLab.PublicAddress);
        var store = new NpgsqlConnectionStringBuilder(postgres.CreateDatabase()) { Host = postgres.SocketDirectory }.ToString();
        var shared = Directory.CreateTempSubdirectory("gatehouse-lab-shared-");
        try
        {
            await ClusterLab.AddUserAsync(certificate, store, Path.Combine(shared.FullName, "alice"));
            await using var haproxy = await HaproxyBalancer.StartAsync(balancer, BalancedClusterLab.PerNodeRangesConfiguration, LabFtp.ControlPort);
            await using var first = await ClusterLab.StartNodeAsync(firstHost, "node1", "50000-50059", store, certificate);
            await using var second = await ClusterLab.StartNodeAsync(secondHost, "node2", "50060-50119", store, certificate);
            await haproxy.WaitForServerAsync("nodes", "node1", "UP");
            await haproxy.WaitForServerAsync("nodes", "node2", "UP");

            // 100 concurrent TLS sessions, each uploading and downloading its own file byte-exact, spread over both nodes.
            await ClusterLab.SessionsAsync(client, certificate, 100);
            Assert.Equal(100, Directory.GetFiles(Path.Combine(shared.FullName, "alice"), "concurrent-*.bin").Length);
            output.WriteLine($"100 sessions: node1 took {ClusterLab.Sessions(first)}, node2 {ClusterLab.Sessions(second)}");
            Assert.InRange(ClusterLab.Sessions(first), 30, 70);
            Assert.InRange(ClusterLab.Sessions(second), 30, 70);
            foreach (var node in new[] { first, second })
            {
                // The nodes see the client's own address (from the PROXY header), never the balancer's.
                Assert.Contains("198.18.7.2", node.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("Data connection from", node.Output, StringComparison.Ordinal);
            }

            // Slow downloads on both nodes; node1 is drained while they run.
            await File.WriteAllBytesAsync(Path.Combine(shared.FullName, "alice", "big.bin"), RandomBytes(8 << 20));
            var firstBefore = ClusterLab.Sessions(first);
            var downloads = Enumerable.Range(0, 4).Select(_ => ClusterLab.SlowDownloadAsync(client, certificate)).ToArray();
            await WaitUntilAsync(() => ClusterLab.Sessions(first) + ClusterLab.Sessions(second) == 104, "the four slow downloads have their sessions");
            Assert.True(ClusterLab.Sessions(first) > firstBefore, "no slow download went to node1, so its drain would prove nothing");
            await Task.Delay(1000);
            var (code, drained) = await first.RunCliAsync(null, "drain");
            Assert.True(code == 0, drained);
            await haproxy.WaitForServerAsync("nodes", "node1", "DOWN");
            var beforeDrain = ClusterLab.Sessions(first);

            await ClusterLab.SessionsAsync(client, certificate, 20);
            Assert.Equal(beforeDrain, ClusterLab.Sessions(first));
            foreach (var download in downloads)
            {
                Assert.Contains("OK slow-download 8388608 bytes", await download, StringComparison.Ordinal);
            }

            output.WriteLine($"after the drain: node1 {ClusterLab.Sessions(first)} sessions in all, node2 {ClusterLab.Sessions(second)}");
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("Drained: the last session ended; stopping", first.Output, StringComparison.Ordinal);

            // node1 comes back; then node2 dies without warning, and new sessions are served by node1.
            await using var restarted = await ClusterLab.StartNodeAsync(firstHost, "node1", "50000-50059", store, certificate);
            await haproxy.WaitForServerAsync("nodes", "node1", "UP");
            await second.KillAsync();
            await haproxy.WaitForServerAsync("nodes", "node2", "DOWN");
            await ClusterLab.SessionsAsync(client, certificate, 10);
            Assert.Equal(10, ClusterLab.Sessions(restarted));
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


    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var waited = 0; waited < 200 && !condition(); waited++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), $"timed out waiting until {what}");
    }
}
