using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Tests;

public sealed class TlsCertificateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (string Certificate, string Key) WritePem(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificateFile = Path.Combine(_directory, "cert.pem");
        var keyFile = Path.Combine(_directory, "key.pem");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    [Fact]
    public void Changed_pem_files_are_picked_up_and_broken_ones_keep_the_old_certificate()
    {
        var (certificate, key) = WritePem("first.example");
        using var provider = new TlsCertificateProvider(certificate, key, NullLogger.Instance, TimeProvider.System);
        Assert.Equal("CN=first.example", provider.Certificate.Subject);
        Assert.False(provider.ReloadIfChanged());

        WritePem("second.example");
        File.SetLastWriteTimeUtc(certificate, DateTime.UtcNow.AddSeconds(5));
        Assert.True(provider.ReloadIfChanged());
        Assert.Equal("CN=second.example", provider.Certificate.Subject);

        File.WriteAllText(certificate, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        Assert.False(provider.ReloadIfChanged());
        Assert.Equal("CN=second.example", provider.Certificate.Subject);
    }

    [Fact]
    public void Server_options_offer_only_tls12_and_tls13_and_uploads_use_tls12()
    {
        var (certificate, key) = WritePem("options.example");
        using var provider = new TlsCertificateProvider(certificate, key, NullLogger.Instance, TimeProvider.System);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13, provider.CreateControlOptions().EnabledSslProtocols);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12, provider.CreateDataOptions(forUpload: true).EnabledSslProtocols);
        Assert.False(provider.CreateControlOptions().AllowRenegotiation);
    }

    [Fact]
    public void Self_signed_certificate_is_created_once_and_reused()
    {
        var (certificate, key) = SelfSignedCertificate.Ensure(_directory, TimeProvider.System);
        var thumbprint = X509Certificate2.CreateFromPemFile(certificate, key).Thumbprint;
        Assert.Equal(thumbprint, X509Certificate2.CreateFromPemFile(SelfSignedCertificate.Ensure(_directory, TimeProvider.System).CertificateFile, key).Thumbprint);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }
}
