using System.Net.Sockets;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Caps the TCP segment size of a socket (TCP_MAXSEG, Ftp:MaxSegmentSize). Set on a listening socket before it
/// listens, it is inherited by every connection it accepts and announced in the SYN-ACK, so the client sends no larger
/// segments either; set on a socket before it connects, it is announced in the SYN. Packets then fit through a tunnel
/// with a smaller MTU whose ICMP "fragmentation needed" is dropped, where path-MTU discovery fails and large packets
/// vanish (a path-MTU black hole).
/// </summary>
public static class TcpSegmentSize
{
    /// <summary>The smallest value accepted: the minimum every IPv4 host must take (RFC 879).</summary>
    public const int Minimum = 536;

    /// <summary>The largest value accepted: what a 1500-byte Ethernet MTU carries over IPv4.</summary>
    public const int Maximum = 1460;

    // <netinet/tcp.h>: IPPROTO_TCP and TCP_MAXSEG (Linux).
    private const int SolTcp = 6;
    private const int TcpMaxSegOption = 2;

    /// <summary>Whether this operating system lets the segment size be set (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <param name="bytes">The largest segment payload; 0 leaves the system's choice.</param>
    public static void Limit(Socket socket, int bytes)
    {
        if (bytes == 0 || !IsSupported)
        {
            return;
        }

        socket.SetRawSocketOption(SolTcp, TcpMaxSegOption, BitConverter.GetBytes(bytes));
    }
}
