using System.Net;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Server;

/// <summary>
/// Logs refused connections: the first refusal of an address for a reason, then at most one line a minute while the
/// refusals go on, with how many were not logged. A banned or flooding address that reconnects thousands of times a
/// second must neither flood the log nor slow the server down with it.
/// </summary>
public sealed class RefusalLog(ILogger logger, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private readonly LogSampler<IPAddress> _sampler = new(time, Interval);

    public void Refused(IPAddress address, string reason)
    {
        if (!_sampler.ShouldLog(address, reason, out var unlogged))
        {
            return;
        }

        if (unlogged == 0)
        {
            Log.ConnectionRefused(logger, address, reason);
        }
        else
        {
            Log.ConnectionRefusedAgain(logger, address, reason, unlogged);
        }
    }
}
