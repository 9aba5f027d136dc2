using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Tls;

/// <summary>
/// Holds the server certificate as one shared <see cref="SslStreamCertificateContext"/> (shared, so the TLS
/// library can resume sessions across control and data connections), makes the TLS options of control and data
/// connections, and reloads the PEM files when they
/// change on disk, keeping the old certificate if the new files are broken.
/// </summary>
public sealed class TlsCertificateProvider : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);
    private readonly string _certificateFile;
    private readonly string? _keyFile;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private (DateTime, long, DateTime, long) _stamp;
    private volatile SslStreamCertificateContext _context;
    private int _ticketsWarned;

    public TlsCertificateProvider(string certificateFile, string? keyFile, ILogger logger, TimeProvider time)
    {
        _certificateFile = certificateFile;
        _keyFile = string.IsNullOrWhiteSpace(keyFile) ? null : keyFile;
        _logger = logger;
        _stamp = Stamp();
        _context = Load(_certificateFile, _keyFile);
        Log.CertificateLoaded(logger, _context.TargetCertificate.Subject, _context.TargetCertificate.NotAfter.ToUniversalTime());
        _timer = time.CreateTimer(_ => ReloadIfChanged(), null, PollInterval, PollInterval);
    }

    public X509Certificate2 Certificate => _context.TargetCertificate;

    public bool RequestClientCertificate { get; init; }

    /// <summary>
    /// The control connection asks for a client certificate (never demands one: the handshake accepts any or none)
    /// when Tls:RequestClientCertificate is on, so the login can check users who have a client-certificate setting.
    /// </summary>
    public SslServerAuthenticationOptions CreateControlOptions() => Create(_context, RequestClientCertificate);

    /// <summary>
    /// A data connection presents the certificate of its control connection (<paramref name="control"/>, also after a
    /// reload) with the same protocols, so that it shares the control connection's OpenSSL context and can resume its
    /// TLS session: FileZilla refuses a data connection that does not. See <see cref="OpenSslSessionTickets"/> for
    /// why such a connection sends no session tickets.
    /// </summary>
    public static SslServerAuthenticationOptions CreateDataOptions(SslStreamCertificateContext control) => Create(control, askForCertificate: false);

    /// <summary>What a control connection needs once its handshake is done, before its next read or write.</summary>
    public void ControlConnectionReady(SslStream control)
    {
        // A control connection is idle nearly all its life: let OpenSSL free its record buffers between commands.
        OpenSslIdleBuffers.Release(control);
        if (!OpenSslSessionTickets.AfterControlHandshake(control) && Interlocked.Exchange(ref _ticketsWarned, 1) == 0)
        {
            Log.DataTicketsNotWithheld(_logger);
        }
    }

    private static SslServerAuthenticationOptions Create(SslStreamCertificateContext certificate, bool askForCertificate) => new()
    {
        ServerCertificateContext = certificate,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificateRequired = askForCertificate,
        RemoteCertificateValidationCallback = askForCertificate ? static (_, _, _, _) => true : null,
        AllowRenegotiation = false,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    /// <summary>Loads a PEM certificate (leaf first, then intermediates) and its key; throws with a readable message.</summary>
    public static SslStreamCertificateContext Load(string certificateFile, string? keyFile)
    {
        var leaf = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        if (!leaf.HasPrivateKey)
        {
            throw new InvalidOperationException($"'{certificateFile}' has no private key; set Tls:KeyFile to the PEM key file.");
        }

        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificateFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all.Skip(1))
        {
            intermediates.Add(certificate);
        }

        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>Reloads the PEM files if either changed on disk (called every 10 s); true when a new certificate is in use.</summary>
    public bool ReloadIfChanged()
    {
        var stamp = Stamp();
        if (stamp == _stamp)
        {
            return false;
        }

        try
        {
            _context = Load(_certificateFile, _keyFile);
            _stamp = stamp;
            Log.CertificateLoaded(_logger, _context.TargetCertificate.Subject, _context.TargetCertificate.NotAfter.ToUniversalTime());
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException or ArgumentException)
        {
            // Files are often replaced one at a time: retry at the next poll before giving up on this pair.
            Log.CertificateReloadFailed(_logger, ex.Message);
            return false;
        }
    }

    private (DateTime, long, DateTime, long) Stamp()
    {
        var certificate = new FileInfo(_certificateFile);
        var key = _keyFile is null ? null : new FileInfo(_keyFile);
        return (certificate.Exists ? certificate.LastWriteTimeUtc : default, certificate.Exists ? certificate.Length : -1,
            key is { Exists: true } ? key.LastWriteTimeUtc : default, key is { Exists: true } ? key.Length : -1);
    }
}
