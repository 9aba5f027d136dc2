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
    public void Control_and_data_connections_offer_tls12_and_tls13_and_data_keeps_the_control_certificate_after_a_reload()
    {
        var (certificate, key) = WritePem("options.example");
        using var provider = new TlsCertificateProvider(certificate, key, NullLogger.Instance, TimeProvider.System);
        var control = provider.CreateControlOptions();
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13, control.EnabledSslProtocols);
        Assert.False(control.AllowRenegotiation);

        WritePem("reloaded.example");
        File.SetLastWriteTimeUtc(certificate, DateTime.UtcNow.AddSeconds(5));
        Assert.True(provider.ReloadIfChanged());

        // Same protocols and certificate as the control connection: the same OpenSSL context, so its session resumes.
        var data = TlsCertificateProvider.CreateDataOptions(control.ServerCertificateContext!);
        Assert.Equal(control.EnabledSslProtocols, data.EnabledSslProtocols);
        Assert.Same(control.ServerCertificateContext, data.ServerCertificateContext);
        Assert.False(data.ClientCertificateRequired);
        Assert.Equal("CN=reloaded.example", provider.CreateControlOptions().ServerCertificateContext!.TargetCertificate.Subject);
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
