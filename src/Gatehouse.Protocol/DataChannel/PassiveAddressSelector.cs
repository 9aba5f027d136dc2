using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Chooses the address announced in a 227 reply: the first PassiveAddressOverrides entry whose network holds
/// the client, else PassiveAddress, else the local address the control connection arrived on (strong host
/// model: never "the machine's address").
/// </summary>
public sealed class PassiveAddressSelector
{
    private readonly IReadOnlyList<(IPNetwork Network, string Address)> _overrides;
    private readonly string? _passiveAddress;
    private readonly IHostNameResolver _resolver;

    public PassiveAddressSelector(FtpOptions options, IHostNameResolver resolver)
    {
        _overrides = options.PassiveAddressOverrides.Select(entry => (IPNetwork.Parse(entry.Network), entry.Address)).ToList();
        _passiveAddress = string.IsNullOrWhiteSpace(options.PassiveAddress) ? null : options.PassiveAddress.Trim();
        _resolver = resolver;
    }

    /// <returns>The IPv4 address to announce, or null with a reason when PASV cannot be answered.</returns>
    public async Task<(IPAddress? Address, string Error)> SelectAsync(IPAddress client, IPAddress local, CancellationToken cancellationToken)
    {
        client = Addresses.Normalize(client);
        local = Addresses.Normalize(local);
        if (local.AddressFamily != AddressFamily.InterNetwork)
        {
            return (null, "PASV can only describe IPv4 addresses and this connection is IPv6; use EPSV instead.");
        }

        var configured = _overrides.FirstOrDefault(entry => entry.Network.Contains(client)).Address ?? _passiveAddress;
        if (configured is null)
        {
            return (local, string.Empty);
        }

        if (IPAddress.TryParse(configured, out var literal))
        {
            return (Addresses.Normalize(literal), string.Empty);
        }

        var resolved = await _resolver.ResolveIPv4Async(configured, cancellationToken).ConfigureAwait(false);
        return resolved is null
            ? (null, $"The server's passive address '{configured}' does not resolve; try EPSV, and tell the administrator.")
            : (resolved, string.Empty);
    }
}
