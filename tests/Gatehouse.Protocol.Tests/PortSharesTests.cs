using System.Net;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Protocol.Cluster;

namespace Gatehouse.Protocol.Tests;

public sealed class PortSharesTests
{
    private static readonly ClusterNode A = Node("a1f0"), B = Node("b2e1"), C = Node("c3d2");

    private static readonly IPAddress[] Clients = [.. Enumerable.Range(1, 20).Select(i => IPAddress.Parse($"198.51.100.{i}")), IPAddress.Parse("2001:db8::7")];

    private static IEnumerable<(int Port, IPAddress Client)> Pairs() =>
        from port in Enumerable.Range(50000, 100) from client in Clients select (port, client);

    [Fact]
    public void Every_port_and_client_has_one_owner_whatever_the_order_the_nodes_were_read_in()
    {
        foreach (var (port, client) in Pairs())
        {
            var owner = PortShares.Owner([A, B, C], port, client);
            Assert.NotNull(owner);
            Assert.Same(owner, PortShares.Owner([C, A, B], port, client));
        }
    }

    [Fact]
    public void The_shares_are_about_even_and_differ_between_clients()
    {
        var owned = Pairs().GroupBy(pair => PortShares.Owner([A, B], pair.Port, pair.Client)!.Id).ToDictionary(group => group.Key, group => group.Count());
        Assert.All(owned.Values, count => Assert.InRange(count, 0.45 * 2100, 0.55 * 2100));

        // Each client has a share of its own: one client's ports are not every client's.
        var first = Enumerable.Range(50000, 100).Where(port => PortShares.Owner([A, B], port, Clients[0]) == A).ToHashSet();
        var second = Enumerable.Range(50000, 100).Where(port => PortShares.Owner([A, B], port, Clients[1]) == A).ToHashSet();
        Assert.False(first.SetEquals(second));
    }

    [Fact]
    public void Two_nodes_that_know_each_other_never_both_own_a_port_even_when_only_one_still_counts_a_third()
    {
        // A still counts C (it has not read that C left); B no longer does. Only C's ports move, and only to A or B.
        foreach (var (port, client) in Pairs())
        {
            var seenByA = PortShares.Owner([A, B, C], port, client);
            var seenByB = PortShares.Owner([A, B], port, client);
            Assert.False(seenByA == A && seenByB == B, $"port {port} for {client}");
            Assert.False(seenByA == B && seenByB == A, $"port {port} for {client}");
            if (seenByA != C)
            {
                Assert.Same(seenByA, seenByB);
            }
        }
    }

    [Fact]
    public void No_members_no_owner() => Assert.Null(PortShares.Owner([], 50000, Clients[0]));

    private static ClusterNode Node(string id) => new(id, "node-" + id, "10.0.0.1:2100", Convert.ToBase64String(new byte[32]));
}
