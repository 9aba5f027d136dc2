using System.Net;

namespace Gatehouse.Protocol.Server;

/// <summary>One connection's place in the <see cref="ConnectionGate"/>: waiting to log in until it does, and given back when it ends.</summary>
public sealed class ConnectionSlot
{
    private static long _order;
    private readonly ConnectionGate _gate;

    internal ConnectionSlot(ConnectionGate gate, IPAddress address)
    {
        _gate = gate;
        Address = address;
        Order = Interlocked.Increment(ref _order);
    }

    public IPAddress Address { get; }

    /// <summary>Connections waiting to log in take more than half of their budget: logins get the short time-out.</summary>
    public bool UnderPressure => _gate.UnderPressure;

    /// <summary>Arrival order: the oldest waiting connection of an address is the one that gives way.</summary>
    internal long Order { get; }

    /// <summary>Its place among the waiting connections of its address; null once logged in, evicted or gone.</summary>
    internal LinkedListNode<ConnectionSlot>? Node { get; set; }

    internal bool Left { get; set; }

    /// <summary>Chosen to make room for a newer connection: its session must be closed.</summary>
    public bool Evicted { get; internal set; }

    public void LoggedIn() => _gate.LoggedIn(this);

    /// <summary>REIN: the connection waits to log in again.</summary>
    public void LoggedOut() => _gate.LoggedOut(this);

    public void Leave() => _gate.Leave(this);
}
