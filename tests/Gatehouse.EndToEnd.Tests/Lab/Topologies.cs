namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// The lab topologies that Gatehouse and the peer servers are both run in. "Internet" segments use 198.18.0.0/15
/// (reserved for network tests, never routed), LANs use RFC 1918 addresses; all of it exists only in the lab.
/// </summary>
public static class Topologies
{
    /// <summary>The control port and the passive range, as every firewall rule of the lab names them.</summary>
    public const string FtpPorts = "{ 2121, 50000-50019 }";

    /// <summary>Topology 1: the client on a LAN behind a masquerading router; the server at 198.18.1.10.</summary>
    /// <param name="forgetIdleAfterSeconds">
    /// When set, the router forgets a flow idle that long, as some carrier-grade NATs do, and drops a packet of a
    /// forgotten flow.
    /// </param>
    public static async Task<(LabHost Client, LabHost Server)> ClientBehindNatAsync(NetworkLab lab, int forgetIdleAfterSeconds = 0)
    {
        var client = await lab.AddHostAsync("client");
        var router = await lab.AddHostAsync("router");
        var server = await lab.AddHostAsync("server");
        await NetworkLab.LinkAsync(client, "192.168.1.2/24", router, "192.168.1.1/24");
        await NetworkLab.LinkAsync(router, "198.18.1.1/24", server, "198.18.1.10/24");
        await client.RouteAsync("default", "192.168.1.1");
        await router.ForwardAsync();
        await router.FirewallAsync("""
            table ip nat {
              chain postrouting {
                type nat hook postrouting priority srcnat;
                oifname "to-server" masquerade
              }
            }
            """);
        if (forgetIdleAfterSeconds > 0)
        {
            await router.FirewallAsync("""
                table inet filter {
                  chain forward {
                    type filter hook forward priority filter;
                    ct state invalid drop
                  }
                }
                """);
            await router.SysctlAsync("net.netfilter.nf_conntrack_tcp_timeout_established", forgetIdleAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await router.SysctlAsync("net.netfilter.nf_conntrack_tcp_loose", "0");
        }

        return (client, server);
    }

    /// <summary>Topology 2: the server on a private LAN behind a router that forwards only the FTP ports to it.</summary>
    /// <param name="forwardPassive">False: the router forwards the control port only, the mistake that breaks passive mode.</param>
    /// <param name="ftpHelper">The router runs the kernel's FTP helper (an ALG) on control connections from the internet.</param>
    public static async Task<(LabHost Internet, LabHost Lan, LabHost Server)> ServerBehindNatAsync(NetworkLab lab, bool forwardPassive = true, bool ftpHelper = false)
    {
        var forwarded = forwardPassive ? FtpPorts : "2121";
        var internet = await lab.AddHostAsync("internet");
        var lan = await lab.AddHostAsync("lan");
        var router = await lab.AddHostAsync("router");
        var server = await lab.AddHostAsync("server");
        await NetworkLab.LinkAsync(internet, "198.18.2.20/24", router, "198.18.2.1/24");
        await NetworkLab.LinkAsync(server, "172.16.0.10/24", router, "172.16.0.1/24");
        await NetworkLab.LinkAsync(lan, "172.16.1.30/24", router, "172.16.1.1/24");
        await server.RouteAsync("default", "172.16.0.1");
        await lan.RouteAsync("default", "172.16.1.1");
        await router.ForwardAsync();
        await router.FirewallAsync($$"""
            table ip nat {
              chain prerouting {
                type nat hook prerouting priority dstnat;
                iifname "to-internet" tcp dport {{forwarded}} dnat to 172.16.0.10
              }
              chain postrouting {
                type nat hook postrouting priority srcnat;
                oifname "to-internet" masquerade
              }
            }
            table inet filter {
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                iifname "to-internet" ip daddr 172.16.0.10 tcp dport {{forwarded}} accept
                iifname { "to-lan", "to-server" } accept
              }
            }
            """);
        if (ftpHelper)
        {
            await router.FirewallAsync("""
                table ip helpers {
                  ct helper ftp-standard {
                    type "ftp" protocol tcp
                  }
                  chain prerouting {
                    type filter hook prerouting priority filter;
                    iifname "to-internet" tcp dport 2121 ct helper set "ftp-standard"
                  }
                }
                """);
        }

        return (internet, lan, server);
    }

    /// <summary>Topology 3: client 10.30.0.2 accepts nothing inbound; server 10.30.0.10 only the FTP ports.</summary>
    public static async Task<(LabHost Client, LabHost Server)> RestrictiveFirewallsAsync(NetworkLab lab)
    {
        var client = await lab.AddHostAsync("client");
        var server = await lab.AddHostAsync("server");
        await NetworkLab.LinkAsync(client, "10.30.0.2/24", server, "10.30.0.10/24");
        await client.FirewallAsync("""
            table inet filter {
              chain input {
                type filter hook input priority filter; policy drop;
                iif "lo" accept
                ct state established,related accept
              }
            }
            """);
        await server.FirewallAsync($$"""
            table inet filter {
              chain input {
                type filter hook input priority filter; policy drop;
                iif "lo" accept
                ct state established,related accept
                tcp dport {{FtpPorts}} accept
              }
            }
            """);
        return (client, server);
    }

    /// <summary>Topology 5: client 10.50.1.2, server 10.50.2.10, and between them a firewall that forgets a connection idle for 3 s.</summary>
    public static async Task<(LabHost Client, LabHost Server)> IdleDroppingFirewallAsync(NetworkLab lab)
    {
        var client = await lab.AddHostAsync("client");
        var firewall = await lab.AddHostAsync("firewall");
        var server = await lab.AddHostAsync("server");
        await NetworkLab.LinkAsync(client, "10.50.1.2/24", firewall, "10.50.1.1/24");
        await NetworkLab.LinkAsync(firewall, "10.50.2.1/24", server, "10.50.2.10/24");
        await client.RouteAsync("default", "10.50.1.1");
        await server.RouteAsync("default", "10.50.2.1");
        await firewall.ForwardAsync();
        await firewall.FirewallAsync($$"""
            table inet filter {
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                iifname "to-client" ct state new tcp flags syn tcp dport {{FtpPorts}} accept
              }
            }
            """);

        // Idle connections are forgotten after 3 s, and a packet of a forgotten connection is not taken up again.
        await firewall.SysctlAsync("net.netfilter.nf_conntrack_tcp_timeout_established", "3");
        await firewall.SysctlAsync("net.netfilter.nf_conntrack_tcp_loose", "0");
        return (client, server);
    }

    /// <summary>
    /// Topology 8, "tunnel-mtu": client 10.78.1.2 (fd00:78:1::2) reaches server 10.78.2.2 (fd00:78:2::2) through a
    /// tunnel: two routers joined by a link with an MTU of 1280, as a VPN has, each dropping the ICMP "fragmentation
    /// needed" (ICMPv6 "packet too big") it would send about it. The client's and the server's own links are 1500, so
    /// both announce full-size segments; path-MTU discovery then fails: a connection opens and small packets pass,
    /// but every packet over 1280 bytes vanishes, in both directions.
    /// </summary>
    public static async Task<(LabHost Client, LabHost Server)> TunnelDroppingLargePacketsAsync(NetworkLab lab)
    {
        var client = await lab.AddHostAsync("client");
        var near = await lab.AddHostAsync("vpn1");
        var far = await lab.AddHostAsync("vpn2");
        var server = await lab.AddHostAsync("server");
        await NetworkLab.LinkAsync(client, ["10.78.1.2/24", "fd00:78:1::2/64"], near, ["10.78.1.1/24", "fd00:78:1::1/64"]);
        await NetworkLab.LinkAsync(near, ["10.78.3.1/24", "fd00:78:3::1/64"], far, ["10.78.3.2/24", "fd00:78:3::2/64"]);
        await NetworkLab.LinkAsync(far, ["10.78.2.1/24", "fd00:78:2::1/64"], server, ["10.78.2.2/24", "fd00:78:2::2/64"]);
        await near.IpAsync("link", "set", NetworkLab.InterfaceName(far.Role), "mtu", "1280");
        await far.IpAsync("link", "set", NetworkLab.InterfaceName(near.Role), "mtu", "1280");
        await client.RouteAsync("default", "10.78.1.1");
        await client.RouteAsync("default", "fd00:78:1::1");
        await server.RouteAsync("default", "10.78.2.1");
        await server.RouteAsync("default", "fd00:78:2::1");
        await near.RouteAsync("10.78.2.0/24", "10.78.3.2");
        await near.RouteAsync("fd00:78:2::/64", "fd00:78:3::2");
        await far.RouteAsync("10.78.1.0/24", "10.78.3.1");
        await far.RouteAsync("fd00:78:1::/64", "fd00:78:3::1");
        foreach (var router in new[] { near, far })
        {
            await router.ForwardAsync();
            await router.FirewallAsync("""
                table inet blackhole {
                  chain output {
                    type filter hook output priority filter;
                    icmp type destination-unreachable icmp code frag-needed drop
                    icmpv6 type packet-too-big drop
                  }
                }
                """);
        }

        return (client, server);
    }

    /// <summary>
    /// Topology 7: clients reach 198.18.7.1, a balancer that holds a link to each of two nodes (10.70.1.11 and
    /// 10.70.2.12). The nodes see only the balancer; the client's address reaches them in PROXY protocol headers.
    /// </summary>
    public static async Task<(LabHost Client, LabHost Balancer, LabHost First, LabHost Second)> BalancedClusterAsync(NetworkLab lab)
    {
        var client = await lab.AddHostAsync("client");
        var balancer = await lab.AddHostAsync("balancer");
        var first = await lab.AddHostAsync("node1");
        var second = await lab.AddHostAsync("node2");
        await NetworkLab.LinkAsync(client, "198.18.7.2/24", balancer, "198.18.7.1/24");
        await NetworkLab.LinkAsync(balancer, "10.70.1.1/24", first, "10.70.1.11/24");
        await NetworkLab.LinkAsync(balancer, "10.70.2.1/24", second, "10.70.2.12/24");
        return (client, balancer, first, second);
    }
}
