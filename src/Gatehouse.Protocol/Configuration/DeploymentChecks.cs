using System.Globalization;

namespace Gatehouse.Protocol.Configuration;

/// <summary>
/// Settings that are valid but will hurt in a real network: the lessons of the network lab, checked by
/// `gatehouse config check` against the machine it runs on. Each warning names the key and the fix.
/// </summary>
public static class DeploymentChecks
{
    /// <summary>Azure's load balancer forgets idle flows after 4 minutes, the shortest common default.</summary>
    public const int CommonFirewallIdleSeconds = 240;

    public const int CertificateWarningDays = 30;

    public static IReadOnlyList<string> Warnings(GatehouseOptions options, ValidatedSettings settings, DeploymentFacts facts)
    {
        var warnings = new List<string>();
        void Warn(string key, string message) => warnings.Add($"{key}: {message}.");

        var publicAddress = facts.ListenAddresses.FirstOrDefault(address => !AddressScope.IsPrivate(address));
        var ftp = options.Ftp;
        if (publicAddress is not null && settings.PassiveAddress?.Literal is { } passive && AddressScope.IsPrivate(passive))
        {
            Warn("Ftp:PassiveAddress", $"{passive} is a private address, but the server listens on the public address {publicAddress}: internet clients would be told an address they cannot reach; set the public address, or remove the setting so each client is told the address it connected to");
        }

        var range = settings.PassivePorts;
        var taken = facts.OtherListeners.Where(port => port >= range.First && port <= range.Last).Order().ToList();
        if (taken.Count > 0)
        {
            Warn("Ftp:PassivePorts", $"{range} overlaps port(s) {string.Join(", ", taken.Take(5))} that something on this machine already listens on (if that is a running Gatehouse, those are its own passive ports); choose a range no other service uses");
        }

        if (facts.OutgoingPorts is { } outgoing
            && Enumerable.Range(range.First, range.Count).Count(port => port >= outgoing.First && port <= outgoing.Last && facts.ReservedPorts?.Contains(port) != true) is var exposed and > 0)
        {
            Warn("Ftp:PassivePorts", $"{exposed} of the {range.Count} ports of {range} lie in the kernel's range for outgoing connections (net.ipv4.ip_local_port_range {outgoing}), where any connection this machine makes (a webhook, the database, a client on this host) may hold one for a while, leaving PASV fewer to choose from; add {range} to net.ipv4.ip_local_reserved_ports (a comma-separated list; set it in /etc/sysctl.d/) or choose a range outside it");
        }

        if (KeepAliveTooLong(ftp.ControlKeepAliveSeconds) is { } control)
        {
            Warn("Ftp:ControlKeepAliveSeconds", $"{control}: firewalls and balancers drop idle connections (Azure's after 4 minutes, AWS NLB's after 350 s), and the control connection is idle during long transfers, so their 226 would be lost; use 60");
        }

        if (KeepAliveTooLong(ftp.DataKeepAliveSeconds) is { } data)
        {
            Warn("Ftp:DataKeepAliveSeconds", $"{data}: firewalls and balancers drop idle connections, and a data connection is idle while a rate-limited client sleeps or a slow reader stops reading, so the transfer would hang; use 15");
        }

        if (publicAddress is not null && options.Tls.Policy == TlsPolicy.Disabled)
        {
            Warn("Tls:Policy", $"is Disabled while the server listens on the public address {publicAddress}: passwords and files would cross the internet in clear text; use Required");
        }

        if (publicAddress is not null && facts.Certificate is null && options.Tls.Policy != TlsPolicy.Disabled)
        {
            Warn("Tls:CertificateFile", $"is not set, so a self-signed certificate is used on the public address {publicAddress}: partners' clients will refuse it or ask them to trust it blindly; install a certificate from a CA");
        }

        if (facts.Certificate is { } certificate)
        {
            CheckCertificate(options, facts, certificate, Warn);
        }

        return warnings;
    }

    private static string? KeepAliveTooLong(int seconds) => seconds switch
    {
        0 => "is off",
        > CommonFirewallIdleSeconds => $"is {seconds} s",
        _ => null,
    };

    private static void CheckCertificate(GatehouseOptions options, DeploymentFacts facts, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, Action<string, string> warn)
    {
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var left = notAfter - facts.Now;
        if (left <= TimeSpan.Zero)
        {
            warn("Tls:CertificateFile", $"the certificate expired on {notAfter:yyyy-MM-dd}; every client will refuse it: renew it (the server reloads a renewed file without a restart)");
        }
        else if (left < TimeSpan.FromDays(CertificateWarningDays))
        {
            warn("Tls:CertificateFile", string.Create(CultureInfo.InvariantCulture, $"the certificate expires on {notAfter:yyyy-MM-dd}, in {(int)left.TotalDays} day(s); renew it (the server reloads a renewed file without a restart)"));
        }

        var name = options.Ftp.PassiveAddress?.Trim();
        if (!string.IsNullOrEmpty(name) && !certificate.MatchesHostname(name))
        {
            warn("Tls:CertificateFile", $"the certificate does not name {name} (Ftp:PassiveAddress, the name clients reach the server by), so clients that verify it will refuse it; get one that includes {name}");
        }
    }
}
