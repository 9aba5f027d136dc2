using System.Globalization;
using Gatehouse.Tests.Shared;
using Npgsql;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Topology 7: two nodes on a PostgreSQL of the caller's behind HAProxy, which sends control connections round-robin to
/// either node, in one of the two modes docs/cluster.md documents: each node with its own passive range, which the
/// balancer forwards to it, or one range shared by both (Cluster:RelayPort), each data connection round-robin too, with
/// no stickiness. alice's home is one directory both nodes share.
/// </summary>
public sealed class BalancedClusterLab : IAsyncDisposable
{
    // A transfer holds its port until it ends (the port is watched for a second connection), and all sessions come
    // from the balancer's one address: they need more ports than sessions.
    public const string Range = "50000-50099";
    private const string FirstRange = "50000-50059";
    private const string SecondRange = "50060-50119";
    private const int RelayPort = 2100;

    /// <summary>The configuration docs/cluster.md documents for per-node ranges, with the lab's addresses.</summary>
    public const string PerNodeRangesConfiguration = """
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

    /// <summary>The configuration docs/cluster.md documents for a shared range, with the lab's addresses.</summary>
    public static readonly string SharedRangeConfiguration = Configuration(
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

    private readonly NetworkLab _lab;
    private readonly DirectoryInfo _shared = Directory.CreateTempSubdirectory("gatehouse-lab-shared-");
    private readonly List<IAsyncDisposable> _nodes = [];

    private readonly bool _relayed;

    private BalancedClusterLab(NetworkLab lab, LabHost client, LabHost balancer, bool relayed) => (_lab, Client, Balancer, _relayed) = (lab, client, balancer, relayed);

    public LabHost Client { get; }

    public LabHost Balancer { get; }

    public LabCertificate Certificate { get; } = new(ClusterLab.PublicAddress);

    public GatehouseServer First { get; private set; } = null!;

    public GatehouseServer Second { get; private set; } = null!;

    public string AliceHome => Path.Combine(_shared.FullName, "alice");

    /// <param name="relayed">One passive range shared by both nodes (Cluster:RelayPort), or one range per node.</param>
    /// <param name="settings">More settings for both nodes.</param>
    public static async Task<BalancedClusterLab> StartAsync(PostgresServer postgres, bool relayed, params (string Key, string Value)[] settings)
    {
        var lab = await NetworkLab.CreateAsync();
        BalancedClusterLab? cluster = null;
        try
        {
            var (client, balancer, firstHost, secondHost) = await Topologies.BalancedClusterAsync(lab);
            cluster = new BalancedClusterLab(lab, client, balancer, relayed);
            // The nodes reach each other's relay port through the balancer host, as across a cluster network.
            await balancer.ForwardAsync();
            await firstHost.RouteAsync("10.70.2.0/24", "10.70.1.1");
            await secondHost.RouteAsync("10.70.1.0/24", "10.70.2.1");
            var store = new NpgsqlConnectionStringBuilder(postgres.CreateDatabase()) { Host = postgres.SocketDirectory }.ToString();
            await ClusterLab.AddUserAsync(cluster.Certificate, store, cluster.AliceHome);
            cluster.First = await cluster.StartNodeAsync(firstHost, "node1", "10.70.1.11", FirstRange, store, settings);
            cluster.Second = await cluster.StartNodeAsync(secondHost, "node2", "10.70.2.12", SecondRange, store, settings);
            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
            else
            {
                await lab.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>HAProxy with the mode's configuration, both nodes up by its health checks.</summary>
    public async Task<HaproxyBalancer> BalanceAsync()
    {
        var haproxy = await HaproxyBalancer.StartAsync(Balancer, _relayed ? SharedRangeConfiguration : PerNodeRangesConfiguration, LabFtp.ControlPort);
        try
        {
            await haproxy.WaitForServerAsync("nodes", "node1", "UP");
            await haproxy.WaitForServerAsync("nodes", "node2", "UP");
            return haproxy;
        }
        catch
        {
            await haproxy.DisposeAsync();
            throw;
        }
    }

    /// <summary>HAProxy in TCP mode: control connections to <paramref name="nodes"/>, the whole passive range to <paramref name="passive"/>.</summary>
    public static string Configuration(string nodes, string passive) => $"""
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

    public async ValueTask DisposeAsync()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            await _nodes[i].DisposeAsync();
        }

        await _lab.DisposeAsync();
        Certificate.Dispose();
        _shared.Delete(recursive: true);
    }

    private async Task<GatehouseServer> StartNodeAsync(LabHost host, string name, string address, string ownRange, string store, (string Key, string Value)[] settings)
    {
        (string, string)[] relay = [("Cluster__RelayPort", RelayPort.ToString(CultureInfo.InvariantCulture)), ("Cluster__RelayAddress", address)];
        var node = await ClusterLab.StartNodeAsync(host, name, _relayed ? Range : ownRange, store, Certificate, [.. _relayed ? relay : [], .. settings]);
        _nodes.Add(node);
        return node;
    }
}
