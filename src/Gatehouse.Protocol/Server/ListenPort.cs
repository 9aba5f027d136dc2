using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Protocol.Server;

/// <summary>A port the configuration makes this node listen on, with the settings that chose its port and its address.</summary>
public sealed record ListenPort(string Key, string AddressKey, IPEndPoint EndPoint, bool DualMode)
{
    /// <summary>Listens on it for this process alone (<see cref="ExclusiveListener"/>).</summary>
    /// <param name="maxSegmentSize">TCP_MAXSEG of the connections it accepts (Ftp:MaxSegmentSize); 0: the system's choice.</param>
    /// <exception cref="InvalidOperationException">It cannot be opened; the message (<see cref="Refusal"/>) names the setting.</exception>
    public Socket Open(int backlog, int maxSegmentSize = 0)
    {
        try
        {
            return ExclusiveListener.Open(EndPoint, DualMode, backlog, maxSegmentSize);
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException(Refusal(ex), ex);
        }
    }

    /// <summary>Why it cannot be opened, for the operator: the setting, the port and what to do.</summary>
    public string Refusal(SocketException error) => error.SocketErrorCode == SocketError.AddressAlreadyInUse
        ? $"{Key}: port {EndPoint.Port} on {EndPoint.Address} is already in use by another process; stop it or change {Key}."
        : $"{Key}: cannot listen on port {EndPoint.Port} on {EndPoint.Address} ({error.Message}); check {Key} and {AddressKey}.";
}
