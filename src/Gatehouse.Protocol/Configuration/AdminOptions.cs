namespace Gatehouse.Protocol.Configuration;

/// <summary>
/// The admin HTTP API (docs/admin-api.md). Off unless Port is set; loopback unless ListenAddresses says otherwise; any
/// other address needs TLS and AllowedNetworks, so the API is never reachable in clear text or from everywhere by accident.
/// </summary>
public sealed class AdminOptions
{
    /// <summary>The loopback address the listener binds when <see cref="ListenAddresses"/> is empty.</summary>
    public const string DefaultListenAddress = "127.0.0.1";

    /// <summary>TCP port of the admin API. 0 (default) disables it.</summary>
    public int Port { get; set; }

    /// <summary>Addresses to bind; empty means 127.0.0.1 alone (a list default would be appended to, not replaced, by the configuration).</summary>
    public List<string> ListenAddresses { get; set; } = [];

    /// <summary>PEM certificate for HTTPS. Empty: plain HTTP on loopback, the FTP certificate on any other address.</summary>
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>CIDR list; when not empty, requests from elsewhere are refused (403). Required for a non-loopback bind.</summary>
    public List<string> AllowedNetworks { get; set; } = [];
}
