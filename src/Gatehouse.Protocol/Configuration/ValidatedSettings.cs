using System.Net;
using Gatehouse.Accounts.Networks;

namespace Gatehouse.Protocol.Configuration;

/// <summary>
/// The configuration values written as text that the server uses parsed: parsed once, by the validation that checks
/// them (<see cref="GatehouseOptionsValidator.Validate"/>), so that nothing parses them again.
/// </summary>
public sealed record ValidatedSettings(
    IReadOnlyList<IPAddress> ListenAddresses,
    PortRange PassivePorts,
    PortRange? PassivePortsAdvertised,
    NetworkList TrustedProxies,
    NetworkList AllowedNetworks,
    NetworkList DeniedNetworks,
    NetworkList BanExemptNetworks,
    AnnouncedAddress? PassiveAddress,
    IReadOnlyList<PassiveAddressRule> PassiveAddressOverrides,
    IPAddress? RelayAddress);
