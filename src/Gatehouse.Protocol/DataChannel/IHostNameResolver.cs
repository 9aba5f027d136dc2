using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Protocol.DataChannel;

public interface IHostNameResolver
{
    Task<IPAddress?> ResolveIPv4Async(string hostName, CancellationToken cancellationToken);
}

/// <summary>DNS look-ups with a short cache, so a dynamic-DNS PassiveAddress follows the public IP without a restart.</summary>
public sealed class DnsHostNameResolver(TimeProvider time) : IHostNameResolver
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, (IPAddress Address, DateTimeOffset Expires)> _cache = new(StringComparer.OrdinalIgnoreCase);

    public async Task<IPAddress?> ResolveIPv4Async(string hostName, CancellationToken cancellationToken)
    {
        lock (_cache)
        {
            if (_cache.TryGetValue(hostName, out var cached) && cached.Expires > time.GetUtcNow())
            {
                return cached.Address;
            }
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(hostName, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return null;
        }

        if (addresses.Length == 0)
        {
            return null;
        }

        lock (_cache)
        {
            _cache[hostName] = (addresses[0], time.GetUtcNow() + CacheLifetime);
        }

        return addresses[0];
    }
}
