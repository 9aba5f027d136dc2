using System.Net;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Which passive ports are reserved, and for whom. A port may be reserved by several sessions at once as long
/// as their clients' addresses differ, because the arriving data connection is matched by its source address:
/// a firewall range of 20 ports then serves 20 concurrent transfers per client address, not 20 in all.
/// A reservation without a client (Ftp:RequireSameClientIpForData off) takes the port for itself.
/// Ports are handed out at random (RFC 2577: predictable ports help data theft).
/// </summary>
public sealed class PassivePortPool
{
    private readonly object _gate = new();
    private readonly PortState[] _ports;

    public PassivePortPool(PortRange range)
    {
        Range = range;
        _ports = new PortState[range.Count];
        for (var i = 0; i < _ports.Length; i++)
        {
            _ports[i] = new PortState();
        }
    }

    public PortRange Range { get; }

    /// <summary>Reservations held now, over all ports.</summary>
    public int Reserved
    {
        get
        {
            lock (_gate)
            {
                return _ports.Sum(state => state.Clients.Count + (state.Exclusive ? 1 : 0));
            }
        }
    }

    /// <param name="client">The only address that may connect, or null when any address may (the port is then not shared).</param>
    /// <param name="eligible">Which ports may be given to this client at all (a cluster node's share of the range); all when null.</param>
    public bool TryReserve(IPAddress? client, out int port, Func<int, bool>? eligible = null)
    {
        client = client is null ? null : Addresses.Normalize(client);
        lock (_gate)
        {
            var start = Random.Shared.Next(_ports.Length);
            for (var i = 0; i < _ports.Length; i++)
            {
                var index = (start + i) % _ports.Length;
                var state = _ports[index];
                if (state.Exclusive || (client is null ? state.Clients.Count > 0 : state.Clients.Contains(client))
                    || (eligible is not null && !eligible(Range.First + index)))
                {
                    continue;
                }

                if (client is null)
                {
                    state.Exclusive = true;
                }
                else
                {
                    state.Clients.Add(client);
                }

                port = Range.First + index;
                return true;
            }
        }

        port = 0;
        return false;
    }

    public void Release(int port, IPAddress? client)
    {
        client = client is null ? null : Addresses.Normalize(client);
        lock (_gate)
        {
            var index = port - Range.First;
            var released = index >= 0 && index < _ports.Length
                && (client is null ? _ports[index].Exclusive : _ports[index].Clients.Remove(client));
            if (!released)
            {
                throw new InvalidOperationException($"Port {port} was not reserved from {Range} for {client?.ToString() ?? "any client"}.");
            }

            if (client is null)
            {
                _ports[index].Exclusive = false;
            }
        }
    }

    private sealed class PortState
    {
        public HashSet<IPAddress> Clients { get; } = [];

        public bool Exclusive { get; set; }
    }
}
