using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Protocol.Configuration;

/// <summary>What <see cref="DeploymentChecks"/> needs to know about the machine, gathered once so the checks stay pure.</summary>
/// <param name="ListenAddresses">The addresses the server would listen on (all of the machine's when Ftp:ListenAddresses is empty).</param>
/// <param name="OtherListeners">TCP ports something on this machine listens on now.</param>
/// <param name="Certificate">The configured certificate, or null when a self-signed one is generated.</param>
/// <param name="OutgoingPorts">net.ipv4.ip_local_port_range: the ports the kernel gives outgoing connections; null where unknown.</param>
/// <param name="ReservedPorts">net.ipv4.ip_local_reserved_ports: ports it never gives them.</param>
public sealed record DeploymentFacts(
    IReadOnlyList<IPAddress> ListenAddresses,
    IReadOnlySet<int> OtherListeners,
    X509Certificate2? Certificate,
    DateTimeOffset Now,
    PortRange? OutgoingPorts = null,
    IReadOnlySet<int>? ReservedPorts = null)
{
    private const string KernelPorts = "/proc/sys/net/ipv4/";

    public static DeploymentFacts FromThisMachine(ValidatedSettings settings, X509Certificate2? certificate, DateTimeOffset now)
    {
        var listen = settings.ListenAddresses;
        if (listen.Count == 0 || listen.Any(address => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
        {
            listen = MachineAddresses();
        }

        return new DeploymentFacts(listen, ListeningPorts(), certificate, now, OutgoingPortRange(), ReservedPortList());
    }

    private static PortRange? OutgoingPortRange()
    {
        var bounds = ReadKernelSetting("ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return bounds.Length == 2 && int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var first) && int.TryParse(bounds[1], CultureInfo.InvariantCulture, out var last)
            ? new PortRange(first, last)
            : null;
    }

    /// <summary>The list, such as "8080,50000-50099", spelled out port by port.</summary>
    private static HashSet<int> ReservedPortList()
    {
        var ports = new HashSet<int>();
        foreach (var item in ReadKernelSetting("ip_local_reserved_ports").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (PortRange.TryParse(item.Contains('-', StringComparison.Ordinal) ? item : $"{item}-{item}", out var range, out _))
            {
                ports.UnionWith(Enumerable.Range(range.First, range.Count));
            }
        }

        return ports;
    }

    private static string ReadKernelSetting(string name) =>
        File.Exists(KernelPorts + name) ? File.ReadAllText(KernelPorts + name) : string.Empty;

    private static List<IPAddress> MachineAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus != OperationalStatus.Down)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses.Select(unicast => unicast.Address))
            .ToList();

    /// <summary>Listening sockets from /proc/net/tcp and tcp6 (state 0A); empty where there is no /proc.</summary>
    private static HashSet<int> ListeningPorts()
    {
        var ports = new HashSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == "0A"
                    && int.TryParse(fields[1].AsSpan(fields[1].LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
                {
                    ports.Add(port);
                }
            }
        }

        return ports;
    }
}
