using System.Diagnostics;
using System.Text.RegularExpressions;
using Gatehouse.Tests.Shared;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// The two nodes of <see cref="BalancedClusterLab"/>, in either mode, behind HAProxy round-robin while their PostgreSQL
/// is frozen for five minutes (SIGSTOP: connections hang rather than fail) and then stopped for 40 s: a session logged in
/// before keeps transferring byte-exact, partners who logged in before log in again on whichever node the balancer
/// picks, the health checks keep both nodes in, and the first transfers after the return succeed.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed partial class ClusterOutageTests(ITestOutputHelper output)
{
    /// <summary>Every data connection to the balancer: with a shared range it picks the node, and half of them are relayed.</summary>
    private static readonly (string Host, string Mode)[] Routes =
        [(ClusterLab.PublicAddress, "PASV"), (ClusterLab.PublicAddress, "EPSV"), (ClusterLab.PublicAddress, "PASV"), (ClusterLab.PublicAddress, "EPSV")];

    /// <summary>Seconds per transfer at most: a wait for the store's 5 s time-out would still pass; 15 s (the old PASV wait) would not.</summary>
    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(12);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Through_round_robin_partners_transfer_and_log_in_while_the_store_is_frozen_for_five_minutes_and_then_stopped(bool relayed)
    {
        using var postgres = new PostgresServer();
        await using var cluster = await BalancedClusterLab.StartAsync(postgres, relayed);
        var (first, second) = (cluster.First, cluster.Second);
        try
        {
            await using var haproxy = await cluster.BalanceAsync();
            // Both nodes see alice log in (and read each other's membership: a node promises ports without the store
            // only once every other node has, two heartbeats after it joined).
            await ClusterLab.SessionsAsync(cluster.Client, cluster.Certificate, 10);
            await using var session = await DataToSession.StartAsync(
                ClusterLab.PublicAddress, LabFtp.ControlPort, cluster.AliceHome, cluster.Certificate, StepLimit, cluster.Client.Namespace);
            await session.TransfersAsync("before", Routes);
            await Task.Delay(TimeSpan.FromSeconds(12));

            var clock = Stopwatch.StartNew();
            postgres.Freeze();
            try
            {
                foreach (var minute in new[] { 1, 3, 5 })
                {
                    await Task.Delay(TimeSpan.FromMinutes(minute) - clock.Elapsed);
                    await PartnersAsync(cluster, session, $"frozen {clock.Elapsed.TotalSeconds:0} s");
                }
            }
            finally
            {
                postgres.Thaw();
            }

            await PartnersAsync(cluster, session, "thawed");
            await Task.Delay(TimeSpan.FromSeconds(10));

            clock.Restart();
            postgres.Stop();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(40));
                await PartnersAsync(cluster, session, "stopped 40 s");
            }
            finally
            {
                postgres.Start();
            }

            await PartnersAsync(cluster, session, "started");
            await Task.Delay(TimeSpan.FromSeconds(8));
            await PartnersAsync(cluster, session, "started 8 s");
            output.WriteLine(session.Log);

            foreach (var node in new[] { first, second })
            {
                Assert.DoesNotContain("possible data theft", node.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("Could not relay", node.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("refused while the shared store is unreachable", node.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("fail:", node.Output, StringComparison.Ordinal);
                Assert.DoesNotMatch(StackFrame(), node.Output);
                // One warning per outage, and a reminder at most a minute (five in the frozen outage at most).
                Assert.Equal(2, Count(node, "StoreOutageMonitor[190]"));
                Assert.InRange(Count(node, "StoreOutageMonitor[191]"), 0, 6);
                Assert.Equal(2, Count(node, "StoreOutageMonitor[192]"));
            }
        }
        finally
        {
            output.WriteLine($"node1:\n{first.Output}\nnode2:\n{second.Output}");
        }
    }

    /// <summary>The logged-in session's transfers, and six partners who logged in before logging in again, each with an upload and a download.</summary>
    private static async Task PartnersAsync(BalancedClusterLab cluster, DataToSession session, string phase)
    {
        await session.TransfersAsync(phase, Routes);
        await ClusterLab.SessionsAsync(cluster.Client, cluster.Certificate, 6);
    }

    private static int Count(GatehouseServer node, string text) => Regex.Count(node.Output, Regex.Escape(text));

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
