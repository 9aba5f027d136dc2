using System.Net;
using Gatehouse.Accounts.Networks;

namespace Gatehouse.Accounts.Tests;

public sealed class NetworkListTests
{
    private static NetworkList List(string text)
    {
        Assert.True(NetworkList.TryParse(text, out var list, out var error), error);
        return list;
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.200.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    [InlineData("10.1.2.3/8", "10.9.9.9", true)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "2001:db9::5", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.1.1", true)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.1.1", true)]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.1.1.1", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.1.1.1", false)]
    [InlineData("10.0.0.0/8", "::a00:1", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    public void Matches_IPv4_IPv6_and_IPv4_mapped_addresses(string network, string address, bool expected) =>
        Assert.Equal(expected, List(network).Contains(IPAddress.Parse(address)));

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8")]
    [InlineData("example.com")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/-1")]
    public void Refuses_what_is_not_a_network(string text)
    {
        Assert.False(NetworkList.TryParse(text, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Deny_wins_over_allow_and_an_empty_allow_list_allows_everyone()
    {
        var policy = new AddressPolicy(List("192.0.2.0/24"), List("192.0.2.66"));
        Assert.Null(policy.Check(IPAddress.Parse("192.0.2.1")));
        Assert.Contains("denied network", policy.Check(IPAddress.Parse("192.0.2.66")), StringComparison.Ordinal);
        Assert.Contains("not in the allowed networks", policy.Check(IPAddress.Parse("198.51.100.1")), StringComparison.Ordinal);
        Assert.Null(AddressPolicy.Open.Check(IPAddress.Parse("198.51.100.1")));
    }
}
