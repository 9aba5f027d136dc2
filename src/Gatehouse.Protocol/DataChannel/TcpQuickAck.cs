using System.Net.Sockets;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Leaves Linux's delayed-ACK ("ping-pong") mode on an upload's data connection. The TLS handshake is a
/// request/response exchange, so the kernel then delays ACKs by up to 40 ms. A client without TCP_NODELAY
/// (Python's ssl, many libraries) holds its small close_notify behind Nagle until its last data record is
/// acknowledged, so every TLS upload would stall about 40 ms at its end. Quick ACKs end the stall.
/// </summary>
public static class TcpQuickAck
{
    // <netinet/tcp.h>: SOL_TCP and TCP_QUICKACK.
    private const int SolTcp = 6;
    private const int TcpQuickAckOption = 12;

    public static void Enable(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            socket.SetRawSocketOption(SolTcp, TcpQuickAckOption, BitConverter.GetBytes(1));
        }
        catch (SocketException)
        {
            // Only a latency optimisation; the transfer works without it.
        }
    }
}
