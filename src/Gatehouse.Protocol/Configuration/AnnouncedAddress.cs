using System.Net;

namespace Gatehouse.Protocol.Configuration;

/// <summary>An address for 227 replies as configured: an IPv4 literal, or a host name that is resolved when announced.</summary>
public sealed record AnnouncedAddress(string Text, IPAddress? Literal);

/// <summary>One Ftp:PassiveAddressOverrides entry: clients in <paramref name="Network"/> are told <paramref name="Address"/>.</summary>
public sealed record PassiveAddressRule(IPNetwork Network, AnnouncedAddress Address);
