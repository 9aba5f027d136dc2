using System.Net;

namespace Gatehouse.Protocol.Server;

/// <summary>Caps sessions in total and per client address; checked before a session gets any resources.</summary>
public sealed class ConnectionGate(int maxSessions, int maxSessionsPerIp)
{
    private readonly object _sync = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _total;

    public bool TryEnter(IPAddress client, out string reason)
    {
        lock (_sync)
        {
            if (_total >= maxSessions)
            {
                reason = $"The server is at its limit of {maxSessions} sessions; try again later.";
                return false;
            }

            _perAddress.TryGetValue(client, out var current);
            if (current >= maxSessionsPerIp)
            {
                reason = $"Too many connections from your address (limit {maxSessionsPerIp}); close some and try again.";
                return false;
            }

            _perAddress[client] = current + 1;
            _total++;
            reason = string.Empty;
            return true;
        }
    }

    public void Leave(IPAddress client)
    {
        lock (_sync)
        {
            if (_perAddress.TryGetValue(client, out var current))
            {
                if (current <= 1)
                {
                    _perAddress.Remove(client);
                }
                else
                {
                    _perAddress[client] = current - 1;
                }

                _total--;
            }
        }
    }
}
