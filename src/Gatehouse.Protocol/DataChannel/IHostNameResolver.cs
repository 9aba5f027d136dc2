using System.Net;

namespace Gatehouse.Protocol.DataChannel;

public interface IHostNameResolver
{
    Task<IPAddress?> ResolveIPv4Async(string hostName, CancellationToken cancellationToken);
}
