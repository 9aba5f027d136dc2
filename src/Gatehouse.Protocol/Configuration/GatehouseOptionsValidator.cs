using System.Net;
using System.Net.Sockets;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.DataChannel;
using Microsoft.Extensions.Options;

namespace Gatehouse.Protocol.Configuration;

/// <summary>Semantic checks of bound options; each message names the key and the fix.</summary>
public sealed class GatehouseOptionsValidator : IValidateOptions<GatehouseOptions>
{
    /// <summary>Ten years: a larger Storage:PartialUploadMaxAgeHours is a typo, not an intent (0 says "for ever").</summary>
    private const int MaxPartialUploadAgeHours = 87600;

    public ValidateOptionsResult Validate(string? name, GatehouseOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static List<string> Problems(GatehouseOptions options) => Validate(options, out _);

    /// <param name="settings">The parsed values; complete only when no problem was found.</param>
    public static List<string> Validate(GatehouseOptions options, out ValidatedSettings settings)
    {
        var problems = new List<string>();
        PortRange? advertisedRange = null;
        void Problem(string key, string message) => problems.Add($"{key}: {message}.");

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            Problem("DataDirectory", "must not be empty; set a writable directory, for example /var/lib/gatehouse");
        }

        var ftp = options.Ftp;
        var listenAddresses = new List<IPAddress>();
        for (var i = 0; i < ftp.ListenAddresses.Count; i++)
        {
            if (IPAddress.TryParse(ftp.ListenAddresses[i], out var listen))
            {
                listenAddresses.Add(listen);
            }
            else
            {
                Problem($"Ftp:ListenAddresses:{i}", $"'{ftp.ListenAddresses[i]}' is not an IP address; use for example 0.0.0.0, :: or 192.0.2.10");
            }
        }

        CheckPort(problems, "Ftp:ExplicitPort", ftp.ExplicitPort);
        CheckPort(problems, "Ftp:ImplicitPort", ftp.ImplicitPort);
        if (ftp.ExplicitPort == 0 && ftp.ImplicitPort == 0)
        {
            Problem("Ftp:ExplicitPort", "and Ftp:ImplicitPort are both 0, so the server would listen nowhere; set Ftp:ExplicitPort to 2121 or 21");
        }

        if (ftp.ExplicitPort != 0 && ftp.ExplicitPort == ftp.ImplicitPort)
        {
            Problem("Ftp:ImplicitPort", $"is the same port as Ftp:ExplicitPort ({ftp.ExplicitPort}); use a different port, for example 990");
        }

        if (!PortRange.TryParse(ftp.PassivePorts, out var range, out var rangeError))
        {
            Problem("Ftp:PassivePorts", rangeError);
        }
        else if (range.First <= ftp.ExplicitPort && ftp.ExplicitPort <= range.Last || range.First <= ftp.ImplicitPort && ftp.ImplicitPort <= range.Last)
        {
            Problem("Ftp:PassivePorts", $"{range} contains a control port; choose a range that excludes Ftp:ExplicitPort and Ftp:ImplicitPort");
        }

        if (!string.IsNullOrWhiteSpace(ftp.PassivePortsAdvertised))
        {
            if (!PortRange.TryParse(ftp.PassivePortsAdvertised, out var advertised, out var advertisedError))
            {
                Problem("Ftp:PassivePortsAdvertised", advertisedError);
            }
            else if (range != default && advertised.Count != range.Count)
            {
                Problem("Ftp:PassivePortsAdvertised", $"{advertised} has {advertised.Count} ports but Ftp:PassivePorts {range} has {range.Count}; they map one for one, so give both the same length");
            }
            else
            {
                advertisedRange = advertised;
            }
        }

        var passiveAddress = string.IsNullOrWhiteSpace(ftp.PassiveAddress) ? null : CheckAnnouncedAddress(problems, "Ftp:PassiveAddress", ftp.PassiveAddress.Trim());

        if (ftp.PassiveAddressRefreshSeconds is < 1 or > 86400)
        {
            Problem("Ftp:PassiveAddressRefreshSeconds", $"is {ftp.PassiveAddressRefreshSeconds}; use 1 to 86400 seconds (default 60)");
        }

        var passiveAddressRules = new List<PassiveAddressRule>();
        for (var i = 0; i < ftp.PassiveAddressOverrides.Count; i++)
        {
            var entry = ftp.PassiveAddressOverrides[i];
            var announced = CheckAnnouncedAddress(problems, $"Ftp:PassiveAddressOverrides:{i}:Address", entry.Address);
            if (!IPNetwork.TryParse(entry.Network, out var network))
            {
                Problem($"Ftp:PassiveAddressOverrides:{i}:Network", $"'{entry.Network}' is not a network in CIDR form; use for example 10.0.0.0/8");
            }
            else if (announced is not null)
            {
                passiveAddressRules.Add(new PassiveAddressRule(network, announced));
            }
        }

        if (ftp.DataKeepAliveSeconds < 0)
        {
            Problem("Ftp:DataKeepAliveSeconds", $"{ftp.DataKeepAliveSeconds} is negative; use 0 to turn keep-alive off or a number of seconds such as 15");
        }

        if (ftp.DataRaceWindowMilliseconds is < 0 or > 5000)
        {
            Problem("Ftp:DataRaceWindowMilliseconds", $"{ftp.DataRaceWindowMilliseconds} is outside 0-5000; use 250, or 0 to turn the wait off");
        }

        if (ftp.ControlKeepAliveSeconds < 0)
        {
            Problem("Ftp:ControlKeepAliveSeconds", $"{ftp.ControlKeepAliveSeconds} is negative; use 0 to turn keep-alive off or a number of seconds such as 60");
        }

        if (ftp.MaxSegmentSize != 0 && ftp.MaxSegmentSize is < TcpSegmentSize.Minimum or > TcpSegmentSize.Maximum)
        {
            Problem("Ftp:MaxSegmentSize", $"is {ftp.MaxSegmentSize}; use 0 (the system's choice) or {TcpSegmentSize.Minimum} to {TcpSegmentSize.Maximum} bytes, for example 1200 behind a tunnel with an MTU of 1280");
        }
        else if (ftp.MaxSegmentSize != 0 && !TcpSegmentSize.IsSupported)
        {
            Problem("Ftp:MaxSegmentSize", "can only be set on Linux; set it to 0, or clamp the MSS on the router in front of the server");
        }

        var tls = options.Tls;
        if (!Enum.IsDefined(tls.Policy))
        {
            Problem("Tls:Policy", "must be Required, Optional or Disabled");
        }

        if (tls.Policy == TlsPolicy.Disabled && ftp.ImplicitPort != 0)
        {
            Problem("Ftp:ImplicitPort", "implicit FTPS needs TLS, but Tls:Policy is Disabled; set Ftp:ImplicitPort to 0 or enable TLS");
        }

        if (string.IsNullOrWhiteSpace(tls.CertificateFile) && !string.IsNullOrWhiteSpace(tls.KeyFile))
        {
            Problem("Tls:CertificateFile", "is empty but Tls:KeyFile is set; set both to PEM files, or neither for a self-signed certificate");
        }

        if (!string.IsNullOrWhiteSpace(tls.CertificateFile) && tls.Policy != TlsPolicy.Disabled)
        {
            CheckReadable(problems, "Tls:CertificateFile", tls.CertificateFile);
            if (!string.IsNullOrWhiteSpace(tls.KeyFile))
            {
                CheckReadable(problems, "Tls:KeyFile", tls.KeyFile);
            }
        }

        var limits = options.Limits;
        CheckPositive(problems, "Limits:MaxSessions", limits.MaxSessions, "1000");
        CheckPositive(problems, "Limits:MaxSessionsPerIp", limits.MaxSessionsPerIp, "50");
        if (limits.MaxUnauthenticatedSessions is { } waiting)
        {
            CheckPositive(problems, "Limits:MaxUnauthenticatedSessions", waiting, "500, or leave it unset for half of Limits:MaxSessions");
        }

        if (limits.MaxUnauthenticatedSessionsPerIp is { } waitingPerIp)
        {
            CheckPositive(problems, "Limits:MaxUnauthenticatedSessionsPerIp", waitingPerIp, "20, or leave it unset for Limits:MaxSessionsPerIp");
        }
        CheckPositive(problems, "Limits:LoginTimeoutUnderPressureSeconds", limits.LoginTimeoutUnderPressureSeconds, "10");
        CheckPositive(problems, "Limits:IdleTimeoutSeconds", limits.IdleTimeoutSeconds, "600");
        CheckPositive(problems, "Limits:LoginTimeoutSeconds", limits.LoginTimeoutSeconds, "60");
        CheckPositive(problems, "Limits:DataConnectionTimeoutSeconds", limits.DataConnectionTimeoutSeconds, "30");
        CheckPositive(problems, "Limits:MaxLoginAttempts", limits.MaxLoginAttempts, "3");
        if (limits.ShutdownGraceSeconds < 0)
        {
            Problem("Limits:ShutdownGraceSeconds", "must be 0 or more seconds, for example 30");
        }

        if (limits.FailedLoginDelayMilliseconds < 0)
        {
            Problem("Limits:FailedLoginDelayMilliseconds", "must be 0 or more milliseconds, for example 1000");
        }

        settings = new ValidatedSettings(
            listenAddresses,
            range,
            advertisedRange,
            CheckNetworks(problems, "Ftp:TrustedProxies", options.Ftp.TrustedProxies),
            CheckNetworks(problems, "Access:AllowedNetworks", options.Access.AllowedNetworks),
            CheckNetworks(problems, "Access:DeniedNetworks", options.Access.DeniedNetworks),
            CheckNetworks(problems, "Bans:ExemptNetworks", options.Bans.ExemptNetworks),
            passiveAddress,
            passiveAddressRules,
            RelayAddress: null);
        var bans = options.Bans;
        CheckPositive(problems, "Bans:Threshold", bans.Threshold, "10");
        CheckPositive(problems, "Bans:WindowSeconds", bans.WindowSeconds, "600");
        CheckPositive(problems, "Bans:BanSeconds", bans.BanSeconds, "900");
        CheckPositive(problems, "Bans:OffenceMemoryHours", bans.OffenceMemoryHours, "24");
        if (bans.MaxBanSeconds < bans.BanSeconds)
        {
            Problem("Bans:MaxBanSeconds", $"{bans.MaxBanSeconds} is shorter than Bans:BanSeconds ({bans.BanSeconds}); use at least that, for example 604800 (a week)");
        }

        if (bans.AccountFreeFailures < 0)
        {
            Problem("Bans:AccountFreeFailures", "must be 0 or more failed logins, for example 5");
        }

        CheckPositive(problems, "Bans:AccountWindowSeconds", bans.AccountWindowSeconds, "900");
        CheckPositive(problems, "Bans:AccountDelayMilliseconds", bans.AccountDelayMilliseconds, "1000");
        CheckPositive(problems, "Bans:AccountMaxDelaySeconds", bans.AccountMaxDelaySeconds, "30");
        if (bans.AccountMaxDelaySeconds * 1000L < bans.AccountDelayMilliseconds)
        {
            Problem("Bans:AccountMaxDelaySeconds", $"{bans.AccountMaxDelaySeconds} s is shorter than Bans:AccountDelayMilliseconds ({bans.AccountDelayMilliseconds} ms); use at least that, for example 30");
        }

        if (options.Accounts.PasswordMinLength is < 8 or > PasswordHashing.MaxPasswordLength)
        {
            Problem("Accounts:PasswordMinLength", $"{options.Accounts.PasswordMinLength} is outside 8-{PasswordHashing.MaxPasswordLength}; NIST SP 800-63B asks for at least 8, 12 or more is better");
        }

        AccountStoreOptionsValidation.Check(options.AccountStore, Problem);
        var cluster = options.Cluster;
        CheckPort(problems, "Cluster:HealthPort", cluster.HealthPort);
        if (cluster.HealthPort != 0 && (cluster.HealthPort == ftp.ExplicitPort || cluster.HealthPort == ftp.ImplicitPort || range != default && range.First <= cluster.HealthPort && cluster.HealthPort <= range.Last))
        {
            Problem("Cluster:HealthPort", $"{cluster.HealthPort} is already an FTP control or passive port; choose another, for example 8021");
        }

        if (cluster.DrainTimeoutSeconds is < 1 or > 604800)
        {
            Problem("Cluster:DrainTimeoutSeconds", $"is {cluster.DrainTimeoutSeconds}; use 1 to 604800 seconds (default 600)");
        }

        var relayAddress = CheckRelay(options, range, Problem);
        settings = settings with { RelayAddress = relayAddress };
        settings = AdminOptionsValidation.Check(options, range, problems, settings) with { OtlpEndpoint = MetricsOptionsValidation.OtlpEndpoint(options.Metrics) };
        CheckPositive(problems, "Retention:IntervalMinutes", options.Retention.IntervalMinutes, "60");
        if (options.Storage.PartialUploadMaxAgeHours is < 0 or > MaxPartialUploadAgeHours)
        {
            Problem("Storage:PartialUploadMaxAgeHours", $"is {options.Storage.PartialUploadMaxAgeHours}; use 1 to {MaxPartialUploadAgeHours} hours (default 72), or 0 to keep interrupted uploads until they are resumed");
        }
        EventsOptionsValidation.Check(options.Events, Problem);
        LdapOptionsValidation.Check(options.Ldap, Problem);
        MetricsOptionsValidation.Check(options.Metrics, Problem);
        return problems;
    }

    /// <returns>Cluster:RelayAddress, parsed; null when the relay is off or the address is not valid.</returns>
    private static IPAddress? CheckRelay(GatehouseOptions options, PortRange range, Action<string, string> problem)
    {
        var (cluster, ftp) = (options.Cluster, options.Ftp);
        if (cluster.RelayPort == 0)
        {
            if (!string.IsNullOrWhiteSpace(cluster.RelayAddress))
            {
                problem("Cluster:RelayAddress", "is only used with Cluster:RelayPort; set the port too, or remove the address");
            }

            return null;
        }

        if (cluster.RelayPort is < 0 or > 65535)
        {
            problem("Cluster:RelayPort", $"{cluster.RelayPort} is not a TCP port; use 1-65535, or 0 to disable the relay");
        }
        else if (cluster.RelayPort == ftp.ExplicitPort || cluster.RelayPort == ftp.ImplicitPort || cluster.RelayPort == cluster.HealthPort
                 || (range != default && range.First <= cluster.RelayPort && cluster.RelayPort <= range.Last))
        {
            problem("Cluster:RelayPort", $"{cluster.RelayPort} is already an FTP control, passive or health port; choose another, for example 2100");
        }

        if (!IPAddress.TryParse(cluster.RelayAddress, out var relayAddress) || relayAddress.Equals(IPAddress.Any) || relayAddress.Equals(IPAddress.IPv6Any))
        {
            problem("Cluster:RelayAddress", $"'{cluster.RelayAddress}' is not this node's address; give the IP address other nodes reach it at on the cluster network, for example 10.0.0.11");
            relayAddress = null;
        }

        if (options.AccountStore.Provider != AccountStoreProvider.PostgreSql)
        {
            problem("Cluster:RelayPort", "needs the shared store, where nodes find which of them a data connection belongs to; set AccountStore:Provider to PostgreSql, or set the relay port to 0");
        }

        if (!ftp.RequireSameClientIpForData)
        {
            problem("Cluster:RelayPort", "matches each data connection to its session by the client's address, so Ftp:RequireSameClientIpForData must stay true");
        }

        return relayAddress;
    }

    /// <returns>The entries that are networks, as one list.</returns>
    internal static NetworkList CheckNetworks(List<string> problems, string key, List<string> networks)
    {
        var parsed = new List<NetworkList>();
        for (var i = 0; i < networks.Count; i++)
        {
            if (NetworkList.TryParse([networks[i]], out var network, out var error))
            {
                parsed.Add(network);
            }
            else
            {
                problems.Add($"{key}:{i}: {error}.");
            }
        }

        return NetworkList.Union(parsed);
    }

    internal static void CheckPort(List<string> problems, string key, int port)
    {
        if (port is < 0 or > 65535)
        {
            problems.Add($"{key}: {port} is not a TCP port; use 1-65535, or 0 to disable.");
        }
    }

    private static void CheckPositive(List<string> problems, string key, int value, string example)
    {
        if (value < 1)
        {
            problems.Add($"{key}: {value} must be at least 1; for example {example}.");
        }
    }

    internal static void CheckReadable(List<string> problems, string key, string path)
    {
        if (!File.Exists(path))
        {
            problems.Add($"{key}: file '{path}' does not exist; give the path of a PEM file readable by the server.");
        }
    }

    private static AnnouncedAddress? CheckAnnouncedAddress(List<string> problems, string key, string value)
    {
        if (IPAddress.TryParse(value, out var address))
        {
            if (address.AddressFamily != AddressFamily.InterNetwork && !address.IsIPv4MappedToIPv6)
            {
                problems.Add($"{key}: '{value}' is IPv6, but 227 replies can only carry IPv4; give the IPv4 address (IPv6 clients use EPSV, which needs no address).");
                return null;
            }

            return new AnnouncedAddress(value, Addresses.Normalize(address));
        }

        if (Uri.CheckHostName(value) != UriHostNameType.Dns)
        {
            problems.Add($"{key}: '{value}' is neither an IPv4 address nor a host name; use for example 203.0.113.7 or ftp.example.com.");
            return null;
        }

        return new AnnouncedAddress(value, null);
    }
}
