using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.Server;

/// <summary>
/// The ports this node listens on from start to stop, each with the settings that ask for it: the services open them
/// from here, and <c>gatehouse serve</c> first checks that no other process holds one (<see cref="FirstUnavailable"/>),
/// so a port in use stops the start with one message before anything else happens.
/// </summary>
public static class ListenPorts
{
    public const string ImplicitPortKey = "Ftp:ImplicitPort";
    private const string ListenAddressesKey = "Ftp:ListenAddresses";

    /// <summary>Ftp:ListenAddresses (parsed, <paramref name="listen"/>), or the wildcard (dual-stack where the machine has IPv6) when it is empty.</summary>
    public static IReadOnlyList<IPAddress> Addresses(IReadOnlyList<IPAddress> listen) =>
        listen.Count > 0 ? listen : [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any];

    /// <summary>Ftp:ExplicitPort and Ftp:ImplicitPort (those not 0) on every listen address.</summary>
    public static IEnumerable<ListenPort> Control(FtpOptions ftp, IReadOnlyList<IPAddress> listen)
    {
        foreach (var address in Addresses(listen))
        {
            if (ftp.ExplicitPort != 0)
            {
                yield return new ListenPort("Ftp:ExplicitPort", ListenAddressesKey, new IPEndPoint(address, ftp.ExplicitPort), DualMode(listen, address));
            }

            if (ftp.ImplicitPort != 0)
            {
                yield return new ListenPort(ImplicitPortKey, ListenAddressesKey, new IPEndPoint(address, ftp.ImplicitPort), DualMode(listen, address));
            }
        }
    }

    /// <summary>Cluster:HealthPort (unless 0) on every listen address.</summary>
    public static IEnumerable<ListenPort> Health(GatehouseOptions options, IReadOnlyList<IPAddress> listen)
    {
        var port = options.Cluster.HealthPort;
        if (port == 0)
        {
            return [];
        }

        var addresses = Addresses(listen).ToList();
        if (addresses.Contains(IPAddress.IPv6Any))
        {
            // Kestrel always makes [::] dual-stack, so it already covers 0.0.0.0 (binding both would collide).
            addresses.Remove(IPAddress.Any);
        }

        return addresses.Select(address => new ListenPort("Cluster:HealthPort", ListenAddressesKey, new IPEndPoint(address, port), address.Equals(IPAddress.IPv6Any)));
    }

    /// <summary>Admin:Port (unless 0) on every Admin:ListenAddresses address (parsed, <paramref name="listen"/>).</summary>
    public static IEnumerable<ListenPort> Admin(AdminOptions admin, IReadOnlyList<IPAddress> listen) =>
        admin.Port == 0
            ? []
            : listen.Select(address => new ListenPort("Admin:Port", "Admin:ListenAddresses", new IPEndPoint(address, admin.Port), address.Equals(IPAddress.IPv6Any)));

    /// <summary>Cluster:RelayPort on Cluster:RelayAddress (parsed, <paramref name="relayAddress"/>), or null when the relay is off.</summary>
    public static ListenPort? Relay(ClusterOptions cluster, IPAddress? relayAddress) =>
        cluster.RelayPort == 0 || relayAddress is null
            ? null
            : new ListenPort("Cluster:RelayPort", "Cluster:RelayAddress", new IPEndPoint(relayAddress, cluster.RelayPort), DualMode: false);

    /// <summary>
    /// With Cluster:RelayPort set, every port of <paramref name="range"/> (Ftp:PassivePorts) on every listen address,
    /// which all listen for good (Cluster/SharedPassiveRange.cs); without the relay, none: a single node opens a passive
    /// port when a session asks and skips one another program holds.
    /// </summary>
    public static IEnumerable<ListenPort> SharedPassiveRange(GatehouseOptions options, IReadOnlyList<IPAddress> listen, PortRange range)
    {
        if (options.Cluster.RelayPort == 0)
        {
            yield break;
        }

        foreach (var address in Addresses(listen))
        {
            for (var port = range.First; port <= range.Last; port++)
            {
                yield return new ListenPort("Ftp:PassivePorts", ListenAddressesKey, new IPEndPoint(address, port), DualMode(listen, address));
            }
        }
    }

    /// <summary>Every port the node listens on from start to stop.</summary>
    public static IEnumerable<ListenPort> All(GatehouseOptions options, ValidatedSettings settings)
    {
        var (listen, relay) = (settings.ListenAddresses, Relay(options.Cluster, settings.RelayAddress));
        return Control(options.Ftp, listen).Concat(Health(options, listen)).Concat(Admin(options.Admin, settings.AdminListenAddresses))
            .Concat(relay is null ? [] : [relay]).Concat(SharedPassiveRange(options, listen, settings.PassivePorts));
    }

    /// <summary>Opens and closes each port in turn.</summary>
    /// <returns>The refusal of the first that cannot be opened (<see cref="ListenPort.Refusal"/>), or null when all can.</returns>
    public static string? FirstUnavailable(IEnumerable<ListenPort> ports)
    {
        foreach (var port in ports)
        {
            try
            {
                port.Open(backlog: 1).Dispose();
            }
            catch (InvalidOperationException ex)
            {
                return ex.Message;
            }
        }

        return null;
    }

    /// <summary>"::" alone means every IPv4 and IPv6 address; next to an explicit 0.0.0.0 it means IPv6 only.</summary>
    private static bool DualMode(IReadOnlyList<IPAddress> listen, IPAddress address) =>
        address.Equals(IPAddress.IPv6Any) && !listen.Contains(IPAddress.Any);
}
