using System.Net;

namespace Gatehouse.Protocol.DataChannel;

public static class Addresses
{
    /// <summary>IPv4-mapped IPv6 (::ffff:a.b.c.d, seen on dual-stack sockets) becomes plain IPv4, so comparisons and 227 replies work.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
