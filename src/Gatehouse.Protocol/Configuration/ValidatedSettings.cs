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
    IPAddress? RelayAddress)
{
    /// <summary>Admin:ListenAddresses, parsed (127.0.0.1 when the list is empty).</summary>
    public IReadOnlyList<IPAddress> AdminListenAddresses { get; init; } = [IPAddress.Loopback];

    /// <summary>Admin:AllowedNetworks; empty means every address that reaches the listener.</summary>
    public NetworkList AdminAllowedNetworks { get; init; } = NetworkList.Empty;

    /// <summary>Metrics:OtlpEndpoint, parsed (with /v1/metrics added over HTTP when it has no path); null: no OTLP export.</summary>
    public Uri? OtlpEndpoint { get; init; }
}
