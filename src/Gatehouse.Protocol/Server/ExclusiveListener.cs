using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.DataChannel;

namespace Gatehouse.Protocol.Server;

/// <summary>
/// Listening TCP sockets no other socket can share. .NET's ReuseAddress option also sets SO_REUSEPORT on Linux, with
/// which a second process (a stale instance, a copied configuration) binds the same port without error and the kernel
/// splits new connections between the two; so it is never set, and binding a port another socket listens on fails.
/// A port whose earlier connections are still in TIME_WAIT binds again at once all the same, so a restart does not wait:
/// on Linux, .NET sets SO_REUSEADDR (alone) on every TCP socket it binds.
/// </summary>
public static class ExclusiveListener
{
    /// <param name="dualMode">For an IPv6 address: accept IPv4 connections too ("::" standing for every address).</param>
    /// <param name="maxSegmentSize">TCP_MAXSEG for every connection accepted (<see cref="TcpSegmentSize"/>); 0: the system's choice.</param>
    /// <exception cref="SocketException">The port cannot be opened, usually because another program listens on it.</exception>
    public static Socket Open(IPEndPoint endPoint, bool dualMode, int backlog, int maxSegmentSize = 0)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = dualMode;
            }

            TcpSegmentSize.Limit(socket, maxSegmentSize);
            socket.Bind(endPoint);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
