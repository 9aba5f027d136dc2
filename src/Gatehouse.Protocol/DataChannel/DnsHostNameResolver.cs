using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Host-name look-ups for PassiveAddress, kept for Ftp:PassiveAddressRefreshSeconds and then resolved again, so a
/// dynamic-DNS name follows the public IP without a restart. When a refresh fails, the last address is kept (and
/// the failure logged): a passing DNS outage must not break every PASV.
/// </summary>
public sealed class DnsHostNameResolver(TimeProvider time, TimeSpan refresh, ILogger logger, DnsHostNameResolver.Lookup? lookup = null)
    : IHostNameResolver
{
    public delegate Task<IPAddress[]> Lookup(string hostName, CancellationToken cancellationToken);

    private readonly Lookup _lookup = lookup ?? ((name, token) => Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork, token));
    private readonly Dictionary<string, (IPAddress Address, DateTimeOffset Expires)> _cache = new(StringComparer.OrdinalIgnoreCase);

    public async Task<IPAddress?> ResolveIPv4Async(string hostName, CancellationToken cancellationToken)
    {
        (IPAddress Address, DateTimeOffset Expires) cached;
        bool known;
        lock (_cache)
        {
            known = _cache.TryGetValue(hostName, out cached);
        }

        if (known && cached.Expires > time.GetUtcNow())
        {
            return cached.Address;
        }

        var fresh = await LookUpAsync(hostName, cancellationToken).ConfigureAwait(false);
        if (fresh is null)
        {
            return known ? cached.Address : null;
        }

        if (known && !fresh.Equals(cached.Address))
        {
            Log.PassiveAddressChanged(logger, hostName, cached.Address, fresh);
        }

        lock (_cache)
        {
            _cache[hostName] = (fresh, time.GetUtcNow() + refresh);
        }

        return fresh;
    }

    private async Task<IPAddress?> LookUpAsync(string hostName, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await _lookup(hostName, cancellationToken).ConfigureAwait(false);
            var address = addresses.FirstOrDefault(candidate => candidate.AddressFamily == AddressFamily.InterNetwork);
            if (address is null)
            {
                Log.PassiveAddressUnresolved(logger, hostName, "it has no IPv4 address");
            }

            return address;
        }
        catch (SocketException ex)
        {
            Log.PassiveAddressUnresolved(logger, hostName, ex.Message);
            return null;
        }
    }
}
