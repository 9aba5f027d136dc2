using System.Net;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.Server;

/// <summary>Why a connection was not let in: the client's own doing (scored against its address) or the server's state (never scored).</summary>
public enum GateRefusal
{
    None,
    ServerFull,
    AddressLimit,
}

/// <summary>
/// Admission of control connections, checked before a session gets any resources. Sessions are capped in total and
/// per address. Connections that have not logged in have a smaller budget of their own, in total and per address,
/// so silent connections cannot take the room partners need: the rest is kept for sessions that authenticate. When
/// that budget is full, a newcomer takes the place of the oldest waiting connection of the address that holds the
/// most waiting connections, if that is more than the newcomer's address holds: a flood from a few addresses gives way
/// to everyone else. While more than half of it is taken, the server is under pressure, and waiting connections get the
/// shorter login time-out.
/// </summary>
public sealed class ConnectionGate(LimitsOptions limits)
{
    private readonly object _sync = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Dictionary<IPAddress, LinkedList<ConnectionSlot>> _waitingPerAddress = [];
    private readonly int _waitingBudget = Math.Min(limits.MaxUnauthenticatedSessions ?? Math.Max(1, limits.MaxSessions / 2), limits.MaxSessions);
    private readonly int _waitingPerAddressLimit = limits.MaxUnauthenticatedSessionsPerIp ?? limits.MaxSessionsPerIp;
    private int _total;
    private int _waiting;

    public int Waiting
    {
        get
        {
            lock (_sync)
            {
                return _waiting;
            }
        }
    }

    public bool UnderPressure => Waiting * 2 > _waitingBudget;

    /// <param name="evicted">A waiting connection that must now be closed to make room for this one.</param>
    public GateRefusal TryEnter(IPAddress client, out ConnectionSlot? slot, out ConnectionSlot? evicted, out string reason)
    {
        (slot, evicted, reason) = (null, null, string.Empty);
        lock (_sync)
        {
            var waitingHere = _waitingPerAddress.TryGetValue(client, out var list) ? list.Count : 0;
            if (_total >= limits.MaxSessions)
            {
                reason = $"The server is at its limit of {limits.MaxSessions} sessions; try again later.";
                return GateRefusal.ServerFull;
            }

            if (_perAddress.GetValueOrDefault(client) >= limits.MaxSessionsPerIp)
            {
                reason = $"Too many connections from your address (limit {limits.MaxSessionsPerIp}); close some and try again.";
                return GateRefusal.AddressLimit;
            }

            if (waitingHere >= _waitingPerAddressLimit)
            {
                reason = $"Too many connections from your address are waiting to log in (limit {_waitingPerAddressLimit}); log in or close them.";
                return GateRefusal.AddressLimit;
            }

            if (_waiting >= _waitingBudget)
            {
                evicted = OldestOfTheLargestHolder(waitingHere);
                if (evicted is null)
                {
                    reason = $"The server is at its limit of {_waitingBudget} connections waiting to log in; try again later.";
                    return GateRefusal.ServerFull;
                }

                StopWaiting(evicted);
                evicted.Evicted = true;
            }

            slot = new ConnectionSlot(this, client);
            _perAddress[client] = _perAddress.GetValueOrDefault(client) + 1;
            _total++;
            Wait(slot);
            return GateRefusal.None;
        }
    }

    internal void LoggedIn(ConnectionSlot slot)
    {
        lock (_sync)
        {
            StopWaiting(slot);
        }
    }

    internal void LoggedOut(ConnectionSlot slot)
    {
        lock (_sync)
        {
            if (!slot.Left && slot.Node is null)
            {
                Wait(slot);
            }
        }
    }

    internal void Leave(ConnectionSlot slot)
    {
        lock (_sync)
        {
            if (slot.Left)
            {
                return;
            }

            slot.Left = true;
            StopWaiting(slot);
            _total--;
            if (_perAddress[slot.Address] <= 1)
            {
                _perAddress.Remove(slot.Address);
            }
            else
            {
                _perAddress[slot.Address]--;
            }
        }
    }

    private ConnectionSlot? OldestOfTheLargestHolder(int newcomerHolds)
    {
        LinkedList<ConnectionSlot>? largest = null;
        foreach (var list in _waitingPerAddress.Values)
        {
            if (list.Count > (largest?.Count ?? newcomerHolds)
                || (largest is not null && list.Count == largest.Count && list.First!.Value.Order < largest.First!.Value.Order))
            {
                largest = list;
            }
        }

        return largest?.First!.Value;
    }

    private void Wait(ConnectionSlot slot)
    {
        if (!_waitingPerAddress.TryGetValue(slot.Address, out var list))
        {
            _waitingPerAddress[slot.Address] = list = new LinkedList<ConnectionSlot>();
        }

        slot.Node = list.AddLast(slot);
        _waiting++;
    }

    private void StopWaiting(ConnectionSlot slot)
    {
        if (slot.Node is not { } node)
        {
            return;
        }

        var list = node.List!;
        list.Remove(node);
        slot.Node = null;
        _waiting--;
        if (list.Count == 0)
        {
            _waitingPerAddress.Remove(slot.Address);
        }
    }
}
