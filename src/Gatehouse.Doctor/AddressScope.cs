using System.Net;

namespace Gatehouse.Doctor;

/// <summary>
/// Whether an address can be reached from the internet, as far as its number tells: the doctor's own list, for
/// judging the address a PASV reply names.
/// </summary>
internal static class AddressScope
{
    private static readonly IPNetwork[] NotInternet =
    [
        IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("::1/128"),
    ];

    /// <summary>RFC 1918, carrier-grade NAT (RFC 6598), link-local, loopback and unique-local IPv6 addresses.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return NotInternet.Any(network => network.Contains(address));
    }
}
