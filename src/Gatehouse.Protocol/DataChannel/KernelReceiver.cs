using System.Net.Sockets;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Hashing;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Receives a plain binary upload through the file's <see cref="ISocketReceiver"/>: the bytes go from the data socket to
/// the file inside the kernel, one copy where a read and a write make two. Waits only when the socket holds nothing.
/// </summary>
internal static class KernelReceiver
{
    private const int Block = 1 << 20;
    private const int ThrottledBlock = 128 << 10;

    /// <summary>True when the pair allows it: a binary upload from a plain socket into a file that can take a splice.</summary>
    public static bool CanReceive(Stream network, Stream file, bool ascii, UploadDigest? digest) =>
        !ascii && digest is null && network is NetworkStream && file is ISocketReceiver { CanReceive: true };

    /// <returns>True at the end of the upload; false when the file stopped taking splices (its file system refused one), to go on with a buffered copy.</returns>
    public static async Task<bool> ReceiveAsync(NetworkStream network, ISocketReceiver file, TransferProgress progress, TransferThrottle? throttle, CancellationToken cancellationToken)
    {
        var socket = network.Socket;

        // splice(2) waits on the socket as its descriptor says, whatever SPLICE_F_NONBLOCK asks: a blocking descriptor
        // would hold this session's thread inside the call, deaf to ABOR, until the client sent more.
        socket.Blocking = false;
        var block = throttle is null ? Block : ThrottledBlock;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var moved = file.ReceiveFrom(socket, block);
            if (moved is null)
            {
                // A zero-byte receive completes when data or the end of the stream arrives, and takes none of it.
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (moved == 0)
            {
                return true;
            }

            progress.Add(moved.Value);
            if (throttle is not null)
            {
                // Not reading while waiting lets TCP flow control slow the client down.
                await throttle.WaitAsync(moved.Value, cancellationToken).ConfigureAwait(false);
            }

            if (!file.CanReceive)
            {
                return false;
            }
        }
    }
}
