using System.Net.Sockets;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// TCP keep-alive, so that NAT routers and firewalls do not forget a connection that carries nothing for a while: a
/// control connection during a long transfer, a data connection while a rate-limited client sleeps.
/// </summary>
public static class TcpKeepAlive
{
    /// <param name="idleSeconds">Seconds of silence before the first probe; 0 leaves keep-alive off.</param>
    public static void Enable(Socket socket, int idleSeconds)
    {
        if (idleSeconds <= 0)
        {
            return;
        }

        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, idleSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, Math.Min(idleSeconds, 15)));
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 4);
    }
}
