using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>A self-signed server certificate for the lab's addresses, so clients verify it exactly as they would in production.</summary>
public sealed class LabCertificate : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-lab-tls-").FullName;

    public LabCertificate(params string[] addresses)
        : this(rsa: false, addresses)
    {
    }

    /// <param name="rsa">An RSA key instead of ECDSA P-256: vsftpd's default TLS 1.2 cipher list has no ECDSA suite.</param>
    public LabCertificate(bool rsa, params string[] addresses)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsaKey
            ? new CertificateRequest("CN=gatehouse-lab", rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=gatehouse-lab", (ECDsa)key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var address in addresses)
        {
            names.AddIpAddress(IPAddress.Parse(address));
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // Valid well beyond the 30 days under which `gatehouse doctor` reports a certificate as about to expire.
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(90));
        File.WriteAllText(CertificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(KeyFile, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Also the CA file clients trust.</summary>
    public string CertificateFile => Path.Combine(_directory, "server.crt");

    public string KeyFile => Path.Combine(_directory, "server.key");

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
