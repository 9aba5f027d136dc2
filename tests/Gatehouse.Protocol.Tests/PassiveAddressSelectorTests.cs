using System.Net;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;

namespace Gatehouse.Protocol.Tests;

public class PassiveAddressSelectorTests
{
    private static readonly IPAddress PublicNic = IPAddress.Parse("203.0.113.10");
    private static readonly IPAddress PrivateNic = IPAddress.Parse("10.0.0.10");

    private static PassiveAddressSelector Selector(string? passiveAddress = null, params (string Network, string Address)[] overrides)
    {
        var options = new GatehouseOptions
        {
            Ftp =
            {
                PassiveAddress = passiveAddress,
                PassiveAddressOverrides = overrides.Select(o => new PassiveAddressOverride { Network = o.Network, Address = o.Address }).ToList(),
            },
        };
        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        return new(settings, new FakeResolver());
    }

    [Fact]
    public async Task Without_configuration_the_control_connections_local_address_is_announced()
    {
        // Multi-homed: each client hears the address of the interface it came in on.
        var selector = Selector();
        Assert.Equal(PublicNic, (await selector.SelectAsync(IPAddress.Parse("198.51.100.1"), PublicNic, default)).Address);
        Assert.Equal(PrivateNic, (await selector.SelectAsync(IPAddress.Parse("10.0.0.99"), PrivateNic, default)).Address);
    }

    [Fact]
    public async Task Passive_address_is_announced_to_internet_clients_and_overrides_win_for_their_networks()
    {
        var selector = Selector("198.18.0.1", ("10.0.0.0/8", "10.0.0.10"), ("192.168.0.0/16", "192.168.1.10"));
        Assert.Equal(IPAddress.Parse("198.18.0.1"), (await selector.SelectAsync(IPAddress.Parse("198.51.100.1"), PrivateNic, default)).Address);
        Assert.Equal(PrivateNic, (await selector.SelectAsync(IPAddress.Parse("10.20.30.40"), PrivateNic, default)).Address);
        Assert.Equal(IPAddress.Parse("192.168.1.10"), (await selector.SelectAsync(IPAddress.Parse("192.168.7.7"), PrivateNic, default)).Address);
    }

    [Fact]
    public async Task Ipv4_mapped_control_connections_get_plain_ipv4()
    {
        var selector = Selector(overrides: ("127.0.0.0/8", "127.0.0.5"));
        var (viaOverride, _) = await selector.SelectAsync(IPAddress.Parse("::ffff:127.0.0.1"), IPAddress.Parse("::ffff:127.0.0.1"), default);
        Assert.Equal(IPAddress.Parse("127.0.0.5"), viaOverride);
        var (local, _) = await Selector().SelectAsync(IPAddress.Parse("::ffff:198.51.100.1"), IPAddress.Parse("::ffff:203.0.113.10"), default);
        Assert.Equal(PublicNic, local);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, local!.AddressFamily);
    }

    [Fact]
    public async Task Ipv6_control_connection_is_told_to_use_epsv()
    {
        var (address, error) = await Selector("198.18.0.1").SelectAsync(IPAddress.IPv6Loopback, IPAddress.IPv6Loopback, default);
        Assert.Null(address);
        Assert.Contains("EPSV", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_names_are_resolved_and_failures_explained()
    {
        Assert.Equal(IPAddress.Parse("198.18.0.77"), (await Selector("ftp.example.test").SelectAsync(IPAddress.Parse("198.51.100.1"), PublicNic, default)).Address);
        var (address, error) = await Selector("missing.example.test").SelectAsync(IPAddress.Parse("198.51.100.1"), PublicNic, default);
        Assert.Null(address);
        Assert.Contains("does not resolve", error, StringComparison.Ordinal);
    }

    private sealed class FakeResolver : IHostNameResolver
    {
        public Task<IPAddress?> ResolveIPv4Async(string hostName, CancellationToken cancellationToken) =>
            Task.FromResult(hostName == "ftp.example.test" ? IPAddress.Parse("198.18.0.77") : null);
    }
}
