using System.Net.Sockets;

namespace Gatehouse.Doctor.Client;

/// <summary>
/// TCP_MAXSEG on the doctor's own sockets, set before they connect or listen: the segment size is announced in the
/// SYN, so the server sends no larger segments either. Used to prove a path-MTU black hole by retrying a stalled step
/// with small packets.
/// </summary>
internal static class SegmentSize
{
    /// <summary>Small enough for any tunnel that still carries IPv6 (an MTU of 1280) with room for its headers.</summary>
    public const int Small = 1000;

    // IPPROTO_TCP and TCP_MAXSEG on Linux, macOS and the BSDs; Windows numbers it differently and does not let it be set.
    private const int SolTcp = 6;
    private const int TcpMaxSegOption = 2;

    public static bool CanLimit => !OperatingSystem.IsWindows();

    /// <param name="bytes">The largest segment payload; 0 leaves the system's choice.</param>
    public static void Limit(Socket socket, int bytes)
    {
        if (bytes != 0)
        {
            socket.SetRawSocketOption(SolTcp, TcpMaxSegOption, BitConverter.GetBytes(bytes));
        }
    }
}
