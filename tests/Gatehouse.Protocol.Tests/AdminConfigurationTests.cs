using System.Net;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.Tests;

/// <summary>Admin:*: off by default, loopback unless told otherwise, and never beyond loopback without TLS and a network list.</summary>
public sealed class AdminConfigurationTests
{
    [Fact]
    public void By_default_the_admin_API_is_off_and_would_bind_loopback_only()
    {
        var options = new GatehouseOptions();
        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        Assert.Equal(0, options.Admin.Port);
        Assert.Equal([IPAddress.Loopback], settings.AdminListenAddresses);
        Assert.True(settings.AdminAllowedNetworks.IsEmpty);
    }

    [Theory]
    [InlineData(new[] { "127.0.0.1", "::1" }, "Required", new string[0], null)]
    [InlineData(new[] { "10.20.0.5" }, "Disabled", new[] { "10.20.0.0/24" }, "Admin:ListenAddresses: 10.20.0.5 is not loopback, and the admin API would answer it in clear text")]
    [InlineData(new[] { "10.20.0.5" }, "Required", new string[0], "Admin:AllowedNetworks: is empty while Admin:ListenAddresses includes 10.20.0.5")]
    [InlineData(new[] { "0.0.0.0" }, "Optional", new[] { "10.20.0.0/24" }, null)]
    [InlineData(new[] { "admin.example" }, "Required", new string[0], "Admin:ListenAddresses:0: 'admin.example' is not an IP address")]
    [InlineData(new[] { "127.0.0.1" }, "Required", new[] { "10.20.0.0/33" }, "Admin:AllowedNetworks:0:")]
    public void A_bind_beyond_loopback_needs_tls_and_allowed_networks(string[] listen, string tlsPolicy, string[] networks, string? expected)
    {
        var options = new GatehouseOptions
        {
            Admin = { Port = 8443, ListenAddresses = [.. listen], AllowedNetworks = [.. networks] },
            Tls = { Policy = Enum.Parse<TlsPolicy>(tlsPolicy) },
        };
        var problems = GatehouseOptionsValidator.Validate(options, out var settings);
        if (expected is null)
        {
            Assert.Empty(problems);
            Assert.Equal(listen.Select(IPAddress.Parse), settings.AdminListenAddresses);
        }
        else
        {
            Assert.Contains(problems, problem => problem.StartsWith(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_own_certificate_allows_a_bind_beyond_loopback_even_without_ftp_tls()
    {
        var certificate = Path.GetTempFileName();
        try
        {
            var options = new GatehouseOptions
            {
                Admin = { Port = 8443, ListenAddresses = ["10.20.0.5"], AllowedNetworks = ["10.20.0.0/24"], CertificateFile = certificate },
                Tls = { Policy = TlsPolicy.Disabled },
            };
            Assert.Empty(GatehouseOptionsValidator.Problems(options));
        }
        finally
        {
            File.Delete(certificate);
        }
    }

    [Theory]
    [InlineData(2121, "Admin:Port: 2121 is already an FTP control or passive port")]
    [InlineData(50010, "Admin:Port: 50010 is already an FTP control or passive port")]
    [InlineData(70000, "Admin:Port: 70000 is not a TCP port")]
    public void The_admin_port_must_be_a_port_of_its_own(int port, string expected)
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { Admin = { Port = port } });
        Assert.Contains(problems, problem => problem.StartsWith(expected, StringComparison.Ordinal));
    }
}
