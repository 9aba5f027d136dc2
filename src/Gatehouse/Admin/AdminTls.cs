using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Tls;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Admin;

/// <summary>
/// The admin listener's certificate: Admin:CertificateFile when set; else, when it listens beyond loopback, the FTP
/// certificate (the start-up checks refuse a non-loopback bind with neither); else none, plain HTTP on loopback.
/// Both are reloaded when their files change.
/// </summary>
public sealed class AdminTls : IDisposable
{
    private readonly TlsCertificateProvider? _own;

    public AdminTls(GatehouseOptions options, ValidatedSettings settings, TlsCertificateProvider? ftp, ILogger logger, TimeProvider time)
    {
        var admin = options.Admin;
        if (admin.Port != 0 && !string.IsNullOrWhiteSpace(admin.CertificateFile))
        {
            _own = new TlsCertificateProvider(admin.CertificateFile, admin.KeyFile, logger, time);
            Certificate = _own;
        }
        else if (admin.Port != 0 && settings.AdminListenAddresses.Any(address => !System.Net.IPAddress.IsLoopback(address)))
        {
            Certificate = ftp;
        }
    }

    /// <summary>Null: plain HTTP (loopback only).</summary>
    public TlsCertificateProvider? Certificate { get; }

    public void Dispose() => _own?.Dispose();
}
