using System.Net;

namespace Gatehouse.Protocol.Configuration;

/// <summary>Checks of the Admin section: its port, addresses and networks, and the rule that only loopback may go without TLS and a network list.</summary>
internal static class AdminOptionsValidation
{
    public static ValidatedSettings Check(GatehouseOptions options, PortRange passive, List<string> problems, ValidatedSettings settings)
    {
        var admin = options.Admin;
        void Problem(string key, string message) => problems.Add($"{key}: {message}.");

        GatehouseOptionsValidator.CheckPort(problems, "Admin:Port", admin.Port);
        var (ftp, cluster) = (options.Ftp, options.Cluster);
        if (admin.Port != 0 && (admin.Port == ftp.ExplicitPort || admin.Port == ftp.ImplicitPort || admin.Port == cluster.HealthPort || admin.Port == cluster.RelayPort
            || passive != default && passive.First <= admin.Port && admin.Port <= passive.Last))
        {
            Problem("Admin:Port", $"{admin.Port} is already an FTP control or passive port, the health check's or the relay's; choose another, for example 8443");
        }

        var addresses = new List<IPAddress>();
        for (var i = 0; i < admin.ListenAddresses.Count; i++)
        {
            if (IPAddress.TryParse(admin.ListenAddresses[i], out var address))
            {
                addresses.Add(address);
            }
            else
            {
                Problem($"Admin:ListenAddresses:{i}", $"'{admin.ListenAddresses[i]}' is not an IP address; use 127.0.0.1, or the address of the management network's interface");
            }
        }

        var networks = GatehouseOptionsValidator.CheckNetworks(problems, "Admin:AllowedNetworks", admin.AllowedNetworks);
        var ownCertificate = !string.IsNullOrWhiteSpace(admin.CertificateFile);
        if (ownCertificate)
        {
            GatehouseOptionsValidator.CheckReadable(problems, "Admin:CertificateFile", admin.CertificateFile!);
            if (!string.IsNullOrWhiteSpace(admin.KeyFile))
            {
                GatehouseOptionsValidator.CheckReadable(problems, "Admin:KeyFile", admin.KeyFile);
            }
        }
        else if (!string.IsNullOrWhiteSpace(admin.KeyFile))
        {
            Problem("Admin:KeyFile", "is set without Admin:CertificateFile; set the certificate too, or remove the key");
        }

        if (admin.Port != 0 && addresses.FirstOrDefault(address => !IPAddress.IsLoopback(address)) is { } exposed)
        {
            if (!ownCertificate && options.Tls.Policy == TlsPolicy.Disabled)
            {
                Problem("Admin:ListenAddresses", $"{exposed} is not loopback, and the admin API would answer it in clear text; set Admin:CertificateFile and Admin:KeyFile (or enable TLS for FTP, whose certificate is then used), or listen on 127.0.0.1 only");
            }

            if (networks.IsEmpty)
            {
                Problem("Admin:AllowedNetworks", $"is empty while Admin:ListenAddresses includes {exposed}, which is not loopback; list the management networks allowed to reach the admin API, for example [\"10.20.0.0/24\"], or listen on 127.0.0.1 only");
            }
        }

        return settings with
        {
            AdminListenAddresses = addresses.Count > 0 ? addresses : [IPAddress.Parse(AdminOptions.DefaultListenAddress)],
            AdminAllowedNetworks = networks,
        };
    }
}
