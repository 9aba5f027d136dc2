using System.Net.Sockets;

namespace Gatehouse.Storage;

/// <summary>
/// An upload's content stream that can move what a connected socket has received into its file inside the kernel
/// (splice(2) through a pipe on Linux), so the bytes never pass through the server's memory. Each stream in front of
/// the file passes the call on and does for the moved bytes what it does for a write (a quota reservation, write-back).
/// </summary>
public interface ISocketReceiver
{
    /// <summary>False where the kernel path is missing (not Linux, a file system without splice): write the stream instead.</summary>
    bool CanReceive { get; }

    /// <summary>
    /// Moves up to <paramref name="maximum"/> bytes that <paramref name="socket"/> holds into the file. When it holds none,
    /// the call waits for data as the socket's descriptor says (splice(2) ignores SPLICE_F_NONBLOCK on the socket side):
    /// a blocking descriptor waits, a non-blocking one returns null at once. <paramref name="admitting"/> is told how many
    /// bytes are about to be written, before they are, and may refuse them by throwing.
    /// </summary>
    /// <returns>The bytes moved; 0 when the peer has closed its side (or the receiving side was shut); null when nothing is waiting on a non-blocking socket.</returns>
    int? ReceiveFrom(Socket socket, int maximum, Action<int>? admitting = null);
}
