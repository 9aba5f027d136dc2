using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Protocol.Tls;

/// <summary>The certificate used when none is configured: generated once and kept, so clients that pinned it keep trusting it.</summary>
public static class SelfSignedCertificate
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(825);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static (string CertificateFile, string KeyFile) Ensure(string dataDirectory, TimeProvider time)
    {
        var directory = Path.Combine(dataDirectory, "tls");
        var certificateFile = Path.Combine(directory, "self-signed.crt");
        var keyFile = Path.Combine(directory, "self-signed.key");
        if (File.Exists(certificateFile) && File.Exists(keyFile))
        {
            using var existing = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            if (existing.NotAfter.ToUniversalTime() - RenewBefore > time.GetUtcNow().UtcDateTime)
            {
                return (certificateFile, keyFile);
            }
        }

        Directory.CreateDirectory(directory);
        using var key = RSA.Create(3072);
        var request = new CertificateRequest($"CN={Dns.GetHostName()}, O=Gatehouse self-signed", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(Dns.GetHostName());
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + Validity);
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        return (certificateFile, keyFile);
    }
}
