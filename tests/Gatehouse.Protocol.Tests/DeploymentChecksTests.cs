using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.Tests;

public class DeploymentChecksTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Public = IPAddress.Parse("203.0.113.5");
    private static readonly IPAddress Private = IPAddress.Parse("10.0.0.5");

    private static DeploymentFacts Facts(IPAddress[]? listen = null, int[]? listeners = null, X509Certificate2? certificate = null) =>
        new(listen ?? [Private], new HashSet<int>(listeners ?? []), certificate, Now);

    private static IReadOnlyList<string> Warnings(GatehouseOptions options, DeploymentFacts facts)
    {
        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        return DeploymentChecks.Warnings(options, settings, facts);
    }

    [Fact]
    public void A_private_server_on_defaults_gets_no_warnings()
    {
        Assert.Empty(Warnings(new GatehouseOptions(), Facts()));
    }

    [Fact]
    public void Private_passive_address_on_a_public_listener_is_flagged()
    {
        var options = new GatehouseOptions { Ftp = { PassivePorts = "30000-30019", PassiveAddress = "192.168.1.10" } };
        var warning = Assert.Single(Warnings(options, Facts(listen: [Private, Public], certificate: Certificate("192.168.1.10", Now.AddYears(1)))));
        Assert.StartsWith("Ftp:PassiveAddress: 192.168.1.10 is a private address, but the server listens on the public address 203.0.113.5", warning, StringComparison.Ordinal);
        Assert.Empty(Warnings(options, Facts(listen: [Private])));
    }

    [Fact]
    public void Passive_range_overlapping_another_listener_is_flagged()
    {
        var options = new GatehouseOptions();
        var warning = Assert.Single(Warnings(options, Facts(listeners: [22, 50010])));
        Assert.StartsWith("Ftp:PassivePorts: 50000-50099 overlaps port(s) 50010 that something on this machine already listens on", warning, StringComparison.Ordinal);
        Assert.Empty(Warnings(options, Facts(listeners: [22, 2121])));
    }

    [Fact]
    public void Passive_ports_the_kernel_may_give_to_outgoing_connections_are_flagged_unless_reserved()
    {
        var options = new GatehouseOptions();
        var linuxDefault = Facts() with { OutgoingPorts = new PortRange(32768, 60999) };
        var warning = Assert.Single(Warnings(options, linuxDefault));
        Assert.StartsWith("Ftp:PassivePorts: 100 of the 100 ports of 50000-50099 lie in the kernel's range for outgoing connections (net.ipv4.ip_local_port_range 32768-60999)", warning, StringComparison.Ordinal);
        Assert.Contains("add 50000-50099 to net.ipv4.ip_local_reserved_ports", warning, StringComparison.Ordinal);

        Assert.StartsWith("Ftp:PassivePorts: 50 of the 100", Assert.Single(Warnings(options, linuxDefault with { ReservedPorts = Enumerable.Range(50000, 50).ToHashSet() })), StringComparison.Ordinal);
        Assert.Empty(Warnings(options, linuxDefault with { ReservedPorts = Enumerable.Range(50000, 100).ToHashSet() }));
        Assert.Empty(Warnings(options, Facts() with { OutgoingPorts = new PortRange(32768, 49999) }));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(60, false)]
    [InlineData(240, false)]
    [InlineData(600, true)]
    public void Keep_alive_off_or_longer_than_common_idle_time_outs_is_flagged(int seconds, bool flagged)
    {
        var control = Warnings(new GatehouseOptions { Ftp = { PassivePorts = "30000-30019", ControlKeepAliveSeconds = seconds } }, Facts());
        Assert.Equal(flagged, control.Any(w => w.StartsWith("Ftp:ControlKeepAliveSeconds:", StringComparison.Ordinal)));
        var data = Warnings(new GatehouseOptions { Ftp = { PassivePorts = "30000-30019", DataKeepAliveSeconds = seconds } }, Facts());
        Assert.Equal(flagged, data.Any(w => w.StartsWith("Ftp:DataKeepAliveSeconds:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Plain_or_self_signed_service_on_a_public_address_is_flagged()
    {
        var plain = Warnings(new GatehouseOptions { Ftp = { PassivePorts = "30000-30019" }, Tls = { Policy = TlsPolicy.Disabled } }, Facts(listen: [Public]));
        Assert.StartsWith("Tls:Policy: is Disabled while the server listens on the public address 203.0.113.5", Assert.Single(plain), StringComparison.Ordinal);

        var selfSigned = Warnings(new GatehouseOptions { Ftp = { PassivePorts = "30000-30019" } }, Facts(listen: [Public]));
        Assert.StartsWith("Tls:CertificateFile: is not set, so a self-signed certificate is used", Assert.Single(selfSigned), StringComparison.Ordinal);
        Assert.Empty(Warnings(new GatehouseOptions { Ftp = { PassivePorts = "30000-30019" }, Tls = { Policy = TlsPolicy.Disabled } }, Facts()));
    }

    [Fact]
    public void Certificate_expiring_soon_expired_or_not_naming_the_server_is_flagged()
    {
        var options = new GatehouseOptions { Ftp = { PassivePorts = "30000-30019", PassiveAddress = "ftp.example.com" } };
        Assert.Empty(Warnings(options, Facts(certificate: Certificate("ftp.example.com", Now.AddDays(90)))));

        var soon = Assert.Single(Warnings(options, Facts(certificate: Certificate("ftp.example.com", Now.AddDays(10).AddHours(1)))));
        Assert.StartsWith("Tls:CertificateFile: the certificate expires on 2026-12-02, in 10 day(s)", soon, StringComparison.Ordinal);

        var expired = Assert.Single(Warnings(options, Facts(certificate: Certificate("ftp.example.com", Now.AddDays(-1)))));
        Assert.StartsWith("Tls:CertificateFile: the certificate expired on 2026-11-21", expired, StringComparison.Ordinal);

        var wrongName = Assert.Single(Warnings(options, Facts(certificate: Certificate("other.example.com", Now.AddDays(90)))));
        Assert.StartsWith("Tls:CertificateFile: the certificate does not name ftp.example.com", wrongName, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.31.0.1", true)]
    [InlineData("192.168.0.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("203.0.113.5", false)]
    [InlineData("2001:db8::1", false)]
    public void Private_addresses_are_told_from_internet_ones(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, AddressScope.IsPrivate(IPAddress.Parse(address)));

    private static X509Certificate2 Certificate(string name, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(name, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(notAfter.AddYears(-1), notAfter);
    }
}
