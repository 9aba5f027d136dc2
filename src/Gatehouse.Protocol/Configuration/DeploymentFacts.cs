using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Protocol.Configuration;

/// <summary>What <see cref="DeploymentChecks"/> needs to know about the machine, gathered once so the checks stay pure.</summary>
/// <param name="ListenAddresses">The addresses the server would listen on (all of the machine's when Ftp:ListenAddresses is empty).</param>
/// <param name="OtherListeners">TCP ports something on this machine listens on now.</param>
/// <param name="Certificate">The configured certificate, or null when a self-signed one is generated.</param>
public sealed record DeploymentFacts(
    IReadOnlyList<IPAddress> ListenAddresses,
    IReadOnlySet<int> OtherListeners,
    X509Certificate2? Certificate,
    DateTimeOffset Now)
{
    public static DeploymentFacts FromThisMachine(ValidatedSettings settings, X509Certificate2? certificate, DateTimeOffset now)
    {
        var listen = settings.ListenAddresses;
        if (listen.Count == 0 || listen.Any(address => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
        {
            listen = MachineAddresses();
        }

        return new DeploymentFacts(listen, ListeningPorts(), certificate, now);
    }

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
