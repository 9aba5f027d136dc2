using System.Diagnostics;
using System.Globalization;
using Gatehouse.EndToEnd.Tests.Lab;
using Gatehouse.Protocol.Server;
using Gatehouse.Tests.Shared;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Two nodes sharing one passive range (Cluster:RelayPort) on loopback, node1 on 127.0.0.1 and node2 on 127.0.0.2, over
/// a PostgreSQL of the test's own that is stopped and frozen under them. A session logged in on node1 sends each data
/// connection to the node a balancer might have chosen: node1 (the owner) or node2 (which must relay it).
/// </summary>
public sealed class ClusterStoreOutageTests(ITestOutputHelper output)
{
    /// <summary>
    /// alice's login on a node she never logged in on: 421 until that node has found the store back (its next read, at most
    /// a probe interval after the return), then the store's answer.
    /// </summary>
    private async Task<string> LoginOnceTheStoreAnswersAsync(GatehouseServer node, LabCertificate certificate)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var login = (await FtpSteps.RunAsync(node, "alice", [], tls: false, extra: ["--tls", "--cafile", certificate.CertificateFile, "--host", Second])).Login;
            if (!login.StartsWith("421", StringComparison.Ordinal) || clock.Elapsed > StoreOutageMonitor.ProbeInterval + TimeSpan.FromSeconds(2))
            {
                output.WriteLine($"login on node2 answered after {clock.Elapsed.TotalSeconds:0.0} s: {login}");
                return login;
            }

            await Task.Delay(250);
        }
    }

    private const string First = "127.0.0.1";
    private const string Second = "127.0.0.2";

    /// <summary>A PASV that waited for a frozen store's 15 s connection timeout would pass this.</summary>
    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Relayed_transfers_go_on_while_the_store_is_stopped_or_frozen()
    {
        using var postgres = new PostgresServer();
        using var certificate = new LabCertificate(First, Second);
        var (first, second) = await StartNodesAsync(postgres, certificate);
        await using (first)
        await using (second)
        try
        {
            await using var session = await StartSessionAsync(first, certificate);
            await session.TransfersAsync("before", Routes);
            await SettledAsync(first);

            postgres.Stop();
            await session.TransfersAsync("stopped", Routes);
            postgres.Start();
            await Task.Delay(TimeSpan.FromSeconds(6));
            await session.TransfersAsync("returned", Routes);

            postgres.Freeze();
            try
            {
                await session.TransfersAsync("frozen", Routes);
            }
            finally
            {
                postgres.Thaw();
            }

            await Task.Delay(TimeSpan.FromSeconds(6));
            await session.TransfersAsync("thawed", Routes);
            output.WriteLine(session.Log);
            AssertNothingRefused(first, second);
            Assert.Contains("arrived relayed by node", first.Output, StringComparison.Ordinal);
        }
        finally
        {
            output.WriteLine($"node1:\n{first.Output}\nnode2:\n{second.Output}");
        }
    }

    [Fact]
    public async Task After_an_outage_longer_than_a_nodes_lifetime_no_node_is_taken_for_dead()
    {
        using var postgres = new PostgresServer();
        using var certificate = new LabCertificate(First, Second);
        var (first, second) = await StartNodesAsync(postgres, certificate, prepare: settings => GatehouseServer.CliAsync(settings, "user", "set", "alice", "--max-sessions", "1"));
        await using (first)
        await using (second)
        try
        {
            await using var session = await StartSessionAsync(first, certificate);
            await SettledAsync(first);

            postgres.Stop();
            // Longer than IClusterStore.NodeLifetime (30 s): every node's last heartbeat is older than that at the return.
            await Task.Delay(TimeSpan.FromSeconds(35));
            await session.TransfersAsync("35 s into the outage", Routes);
            postgres.Start();

            // At once: node1's session still counts on node2, and node2 relays node1's next data connection.
            Assert.StartsWith("530 Too many sessions", await LoginOnceTheStoreAnswersAsync(second, certificate), StringComparison.Ordinal);
            await session.TransfersAsync("at the return", Routes);
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.StartsWith("530 Too many sessions", await LoginOnceTheStoreAnswersAsync(second, certificate), StringComparison.Ordinal);
            await session.TransfersAsync("after the return", Routes);
            output.WriteLine(session.Log);
            AssertNothingRefused(first, second);
        }
        finally
        {
            output.WriteLine($"node1:\n{first.Output}\nnode2:\n{second.Output}");
        }
    }

    [Fact]
    public async Task A_partner_who_logged_in_on_one_node_logs_in_on_the_other_while_the_store_is_away()
    {
        using var postgres = new PostgresServer();
        using var certificate = new LabCertificate(First, Second);
        var (first, second) = await StartNodesAsync(postgres, certificate, users: ["alice", "bob"], more: ("AccountStore__OfflineLoginSyncSeconds", "1"));
        await using (first)
        await using (second)
        try
        {
            Task<FtpSteps> LoginAsync(GatehouseServer node, string host, string user, string password = GatehouseServer.Password) =>
                FtpSteps.RunAsync(node, user, ["cmd PWD"], tls: false, password: password, extra: ["--tls", "--cafile", certificate.CertificateFile, "--host", host]);

            Assert.StartsWith("230", (await LoginAsync(first, First, "alice")).Login, StringComparison.Ordinal);
            // node2 reads the logins node1 recorded at its next sync (every second here, every 30 by default).
            await Task.Delay(TimeSpan.FromSeconds(3));
            postgres.Stop();

            var alice = await LoginAsync(second, Second, "alice");
            Assert.StartsWith("230", alice.Login, StringComparison.Ordinal);
            Assert.StartsWith("257", alice["cmd PWD"], StringComparison.Ordinal);
            Assert.StartsWith("530", (await LoginAsync(second, Second, "alice", "wrong-password")).Login, StringComparison.Ordinal);
            Assert.StartsWith("421 Logins are briefly unavailable", (await LoginAsync(second, Second, "bob")).Login, StringComparison.Ordinal);
            Assert.Contains("Login of alice checked against its last login", second.Output, StringComparison.Ordinal);
        }
        finally
        {
            postgres.Start();
            output.WriteLine($"node1:\n{first.Output}\nnode2:\n{second.Output}");
        }
    }

    /// <summary>Each data connection to the node a balancer might have chosen: node1 (the owner) or node2 (which must relay it).</summary>
    private static readonly (string Host, string Mode)[] Routes = [(First, "PASV"), (Second, "EPSV"), (Second, "PASV"), (First, "EPSV")];

    private static Task<DataToSession> StartSessionAsync(GatehouseServer owner, LabCertificate certificate) =>
        DataToSession.StartAsync(First, owner.ExplicitPort, owner.Home("alice"), certificate, StepLimit);

    /// <param name="certificate">One certificate for both addresses, as a cluster behind one name would have.</param>
    /// <param name="users">Created (with the CLI) before node1 starts.</param>
    private static async Task<(GatehouseServer First, GatehouseServer Second)> StartNodesAsync(
        PostgresServer postgres, LabCertificate certificate, Func<IReadOnlyDictionary<string, string>, Task>? prepare = null,
        string[]? users = null, params (string Key, string Value)[] more)
    {
        var store = postgres.CreateDatabase();
        Dictionary<string, string> Node(string name, string address) => new(more.Select(setting => KeyValuePair.Create(setting.Key, setting.Value)))
        {
            ["AccountStore__Provider"] = "PostgreSql",
            ["AccountStore__ConnectionString"] = store,
            ["Cluster__NodeName"] = name,
            ["Cluster__RelayPort"] = GatehouseServer.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Cluster__RelayAddress"] = address,
            ["Tls__CertificateFile"] = certificate.CertificateFile,
            ["Tls__KeyFile"] = certificate.KeyFile,
        };

        var first = await GatehouseServer.StartAsync(Node("node1", First), users: users, listen: [First], prepare: prepare);
        try
        {
            var second = Node("node2", Second);
            second["Ftp__PassivePorts"] = first.Settings["Ftp__PassivePorts"];
            return (first, await GatehouseServer.StartAsync(second, users: [], listen: [Second]));
        }
        catch
        {
            await first.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A node promises ports without the store only once every other node has read its membership: two heartbeats
    /// (10 s) after it joined. Both nodes here started within a second of each other.
    /// </summary>
    private static async Task SettledAsync(GatehouseServer first)
    {
        Assert.True(await first.WaitForLogAsync("Joined the cluster", TimeSpan.FromSeconds(5)), first.Output);
        await Task.Delay(TimeSpan.FromSeconds(12));
    }

    private static void AssertNothingRefused(params GatehouseServer[] nodes)
    {
        foreach (var node in nodes)
        {
            Assert.DoesNotContain("possible data theft", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Relay connection from", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Could not relay", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("refused while the shared store is unreachable", node.Output, StringComparison.Ordinal);
        }
    }
}
