using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Doctor.Tests;

public sealed class DoctorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("ftps://alice@ftp.example.com", false, DoctorSecurity.Explicit, "ftp.example.com", 21, "/")]
    [InlineData("ftps://alice@ftp.example.com:2121/in%20box", false, DoctorSecurity.Explicit, "ftp.example.com", 2121, "/in box")]
    [InlineData("ftps://alice@ftp.example.com", true, DoctorSecurity.Implicit, "ftp.example.com", 990, "/")]
    [InlineData("ftps://alice@[2001:db8::1]:2990", true, DoctorSecurity.Implicit, "2001:db8::1", 2990, "/")]
    [InlineData("ftps://alice@[2001:db8::1]", false, DoctorSecurity.Explicit, "2001:db8::1", 21, "/")]
    [InlineData("ftp://alice@192.0.2.7:2121", false, DoctorSecurity.Plain, "192.0.2.7", 2121, "/")]
    public void Target_urls_give_security_host_port_and_folder(string url, bool implicitTls, DoctorSecurity security, string host, int port, string folder)
    {
        Assert.True(DoctorTarget.TryParse(url, implicitTls, out var target, out var error), error);
        Assert.Equal(new DoctorTarget(security, "alice", host, port, folder), target);
    }

    [Theory]
    [InlineData("ftps://ftp.example.com", false, "Name the user")]
    [InlineData("ftps://alice:secret@ftp.example.com", false, "Do not put the password in the URL")]
    [InlineData("https://alice@ftp.example.com", false, "ftps://user@host")]
    [InlineData("ftp.example.com", false, "ftps://user@host")]
    [InlineData("ftp://alice@ftp.example.com", true, "--implicit needs an ftps:// URL")]
    public void Bad_target_urls_are_refused_with_what_to_write(string url, bool implicitTls, string message)
    {
        Assert.False(DoctorTarget.TryParse(url, implicitTls, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_describes_itself_as_a_url_with_its_mode()
    {
        Assert.True(DoctorTarget.TryParse("ftps://alice@[2001:db8::1]:2121/in", false, out var target, out _));
        Assert.Equal("ftps://alice@[2001:db8::1]:2121/in (explicit TLS)", target.ToString());
    }

    [Fact]
    public void A_sound_certificate_has_no_findings()
    {
        using var certificate = Certificate(Now.AddDays(200));
        Assert.Empty(CertificateCheck.Evaluate(certificate, SslPolicyErrors.None, [], "ftp.example.com", Now, out var blocking));
        Assert.False(blocking);
    }

    [Fact]
    public void An_expired_certificate_blocks()
    {
        using var certificate = Certificate(Now.AddDays(-3));
        var chain = new[] { new X509ChainStatus { Status = X509ChainStatusFlags.NotTimeValid, StatusInformation = "certificate has expired" } };
        var finding = Assert.Single(CertificateCheck.Evaluate(certificate, SslPolicyErrors.RemoteCertificateChainErrors, chain, "ftp.example.com", Now, out var blocking));
        Assert.True(blocking);
        Assert.Equal($"The certificate expired on {Now.AddDays(-3):yyyy-MM-dd} 12:00 UTC.", finding.Problem);
    }

    [Fact]
    public void A_certificate_close_to_its_end_is_reported_without_blocking()
    {
        using var certificate = Certificate(Now.AddDays(10).AddHours(1));
        var finding = Assert.Single(CertificateCheck.Evaluate(certificate, SslPolicyErrors.None, [], "ftp.example.com", Now, out var blocking));
        Assert.False(blocking);
        Assert.StartsWith("The certificate expires in 10 day(s)", finding.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_untrusted_certificate_for_another_name_gives_both_findings()
    {
        using var certificate = Certificate(Now.AddDays(200));
        var chain = new[] { new X509ChainStatus { Status = X509ChainStatusFlags.UntrustedRoot, StatusInformation = "self-signed certificate" } };
        var findings = CertificateCheck.Evaluate(
            certificate, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch, chain, "files.example.org", Now, out var blocking);
        Assert.True(blocking);
        Assert.Equal(
            ["The certificate (CN=test, issued by CN=test) is not trusted: self-signed certificate.",
             "The certificate is for ftp.example.com, 192.0.2.7, not files.example.org: clients that check names refuse it."],
            findings.Select(finding => finding.Problem));
    }

    private static X509Certificate2 Certificate(DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("ftp.example.com");
        names.AddIpAddress(IPAddress.Parse("192.0.2.7"));
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(notAfter.AddYears(-1), notAfter);
    }
}
