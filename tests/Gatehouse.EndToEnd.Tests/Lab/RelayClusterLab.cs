using System.Globalization;
using Gatehouse.Tests.Shared;
using Npgsql;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Topology 7 with one passive range shared by both nodes (Cluster:RelayPort) on a PostgreSQL of the caller's: HAProxy
/// sends every connection, control or data, round-robin to either node, with no stickiness and no per-node port mapping.
/// alice's home is one directory both nodes share.
/// </summary>
public sealed class RelayClusterLab : IAsyncDisposable
{
    // A transfer holds its port until it ends (the port is watched for a second connection), and all sessions come
    // from the balancer's one address: they need more ports than sessions.
    public const string Range = "50000-50099";
    private const int RelayPort = 2100;

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

    private RelayClusterLab(NetworkLab lab, LabHost client, LabHost balancer) => (_lab, Client, Balancer) = (lab, client, balancer);

    public LabHost Client { get; }

    public LabHost Balancer { get; }

    public LabCertificate Certificate { get; } = new(ClusterLab.PublicAddress);

    public GatehouseServer First { get; private set; } = null!;

    public GatehouseServer Second { get; private set; } = null!;

    public string AliceHome => Path.Combine(_shared.FullName, "alice");

    /// <param name="settings">More settings for both nodes.</param>
    public static async Task<RelayClusterLab> StartAsync(PostgresServer postgres, params (string Key, string Value)[] settings)
    {
        var lab = await NetworkLab.CreateAsync();
        RelayClusterLab? cluster = null;
        try
        {
            var (client, balancer, firstHost, secondHost) = await Topologies.BalancedClusterAsync(lab);
            cluster = new RelayClusterLab(lab, client, balancer);
            // The nodes reach each other's relay port through the balancer host, as across a cluster network.
            await balancer.ForwardAsync();
            await firstHost.RouteAsync("10.70.2.0/24", "10.70.1.1");
            await secondHost.RouteAsync("10.70.1.0/24", "10.70.2.1");
            var store = new NpgsqlConnectionStringBuilder(postgres.CreateDatabase()) { Host = postgres.SocketDirectory }.ToString();
            await ClusterLab.AddUserAsync(cluster.Certificate, store, cluster.AliceHome);
            cluster.First = await cluster.StartNodeAsync(firstHost, "node1", "10.70.1.11", store, settings);
            cluster.Second = await cluster.StartNodeAsync(secondHost, "node2", "10.70.2.12", store, settings);
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

    /// <summary>HAProxy with <see cref="SharedRangeConfiguration"/>, both nodes up by its health checks.</summary>
    public async Task<HaproxyBalancer> BalanceAsync()
    {
        var haproxy = await HaproxyBalancer.StartAsync(Balancer, SharedRangeConfiguration, LabFtp.ControlPort);
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

    private async Task<GatehouseServer> StartNodeAsync(LabHost host, string name, string address, string store, (string Key, string Value)[] settings)
    {
        var node = await ClusterLab.StartNodeAsync(host, name, Range, store, Certificate,
            [("Cluster__RelayPort", RelayPort.ToString(CultureInfo.InvariantCulture)), ("Cluster__RelayAddress", address), .. settings]);
        _nodes.Add(node);
        return node;
    }
}
