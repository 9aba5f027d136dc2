using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Chooses the address announced in a 227 reply: the first PassiveAddressOverrides entry whose network holds
/// the client, else PassiveAddress, else the local address the control connection arrived on (strong host
/// model: never "the machine's address").
/// </summary>
public sealed class PassiveAddressSelector(ValidatedSettings settings, IHostNameResolver resolver)
{
    /// <returns>The IPv4 address to announce, or null with a reason when PASV cannot be answered.</returns>
    public async Task<(IPAddress? Address, string Error)> SelectAsync(IPAddress client, IPAddress local, CancellationToken cancellationToken)
    {
        client = Addresses.Normalize(client);
        local = Addresses.Normalize(local);
        if (local.AddressFamily != AddressFamily.InterNetwork)
        {
            return (null, "PASV can only describe IPv4 addresses and this connection is IPv6; use EPSV instead.");
        }

        var configured = settings.PassiveAddressOverrides.FirstOrDefault(rule => rule.Network.Contains(client))?.Address ?? settings.PassiveAddress;
        if (configured is null)
        {
            return (local, string.Empty);
        }

        if (configured.Literal is { } literal)
        {
            return (literal, string.Empty);
        }

        var resolved = await resolver.ResolveIPv4Async(configured.Text, cancellationToken).ConfigureAwait(false);
        return resolved is null
            ? (null, $"The server's passive address '{configured.Text}' does not resolve; try EPSV, and tell the administrator.")
            : (resolved, string.Empty);
    }
}
