using System.Net;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// RFC 2577 bounce protection: the server connects only back to the control connection's own client
/// address, and never to a privileged port.
/// </summary>
public static class ActiveModePolicy
{
    public const int LowestAllowedPort = 1024;

    public static bool IsAllowed(IPEndPoint requested, IPAddress controlClient, out string reason)
    {
        var target = Addresses.Normalize(requested.Address);
        if (!target.Equals(Addresses.Normalize(controlClient)))
        {
            reason = $"Active mode may only connect back to your own address ({Addresses.Normalize(controlClient)}), not {target}; use PASV or EPSV.";
            return false;
        }

        if (requested.Port < LowestAllowedPort)
        {
            reason = $"Active mode may not connect to privileged port {requested.Port} (below {LowestAllowedPort}); use PASV or EPSV.";
            return false;
        }

        reason = string.Empty;
        return true;
    }
}
