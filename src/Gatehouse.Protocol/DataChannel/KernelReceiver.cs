using System.Net.Sockets;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Hashing;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Receives a plain binary upload through the file's <see cref="ISocketReceiver"/>: the bytes go from the data socket to
/// the file inside the kernel, one copy where a read and a write make two. The loop runs on a thread of its own and
/// waits for data inside the kernel: measured, waiting through the socket engine instead (a readiness event and a
/// thread-pool hop per arrival) cost more CPU than the copy it saves. Cancelling (ABOR, the session's end) shuts the
/// socket's receiving side, which wakes the wait.
/// </summary>
internal static class KernelReceiver
{
    private const int Block = 1 << 20;
    private const int ThrottledBlock = 128 << 10;
    private const long ArrivedLimit = 4 << 20;

    /// <summary>True when the pair allows it: a binary upload from a plain socket into a file that can take a splice.</summary>
    public static bool CanReceive(Stream network, Stream file, bool ascii, UploadDigest? digest) =>
        !ascii && digest is null && network is NetworkStream && file is ISocketReceiver { CanReceive: true };

    /// <returns>True at the end of the upload; false when the file stopped taking splices (its file system refused one), to go on with a buffered copy.</returns>
    public static Task<bool> ReceiveAsync(NetworkStream network, ISocketReceiver file, TransferProgress progress, TransferThrottle? throttle, CancellationToken cancellationToken)
    {
        // Counted as received before the file may refuse it (a quota): a cut upload's event tells what arrived.
        Action<int> counted = received => progress.Add(received);
        var socket = network.Socket;
        if (throttle is null && ReceiveArrived(socket, file, counted, cancellationToken) is { } finished)
        {
            return Task.FromResult(finished);
        }

        return Task.Factory.StartNew(
            () => Receive(socket, file, counted, throttle, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Moves what has already arrived, on the caller's thread, without waiting: a small upload is often whole, and
    /// ended, by the time its transfer starts, and then a thread of its own would cost more than the upload. At most
    /// <see cref="ArrivedLimit"/> bytes, so that a fast large upload does not hold a pool thread.
    /// </summary>
    /// <returns>The upload's result when it ended here, null when the rest is to be waited for.</returns>
    private static bool? ReceiveArrived(Socket socket, ISocketReceiver file, Action<int> counted, CancellationToken cancellationToken)
    {
        for (var moved = 0L; moved < ArrivedLimit && socket.Poll(0, SelectMode.SelectRead);)
        {
            switch (Step(socket, file, counted, cancellationToken))
            {
                case { } received when received > 0:
                    moved += received;
                    if (!file.CanReceive)
                    {
                        return false;
                    }

                    break;
                case 0:
                    return true;
                default:
                    return null;
            }
        }

        return null;
    }

    private static bool Receive(Socket socket, ISocketReceiver file, Action<int> counted, TransferThrottle? throttle, CancellationToken cancellationToken)
    {
        var block = throttle is null ? Block : ThrottledBlock;
        using var wake = cancellationToken.UnsafeRegister(static state => StopReceiving((Socket)state!), socket);
        while (true)
        {
            var moved = Step(socket, file, counted, cancellationToken, block);
            if (moved is null)
            {
                // The descriptor is non-blocking (the socket engine has used it): wait for data here, in the kernel.
                socket.Poll(-1, SelectMode.SelectRead);
                continue;
            }

            if (moved == 0)
            {
                return true;
            }

            // Not reading while waiting lets TCP flow control slow the client down.
            throttle?.WaitAsync(moved.Value, cancellationToken).GetAwaiter().GetResult();
            if (!file.CanReceive)
            {
                return false;
            }
        }
    }

    /// <returns>The bytes moved, 0 at the end, null when a non-blocking descriptor had nothing waiting.</returns>
    private static int? Step(Socket socket, ISocketReceiver file, Action<int> counted, CancellationToken cancellationToken, int block = Block)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var moved = file.ReceiveFrom(socket, block, counted);
        if (moved == 0)
        {
            // A shut receiving side reads as the end too.
            cancellationToken.ThrowIfCancellationRequested();
        }

        return moved;
    }

    private static void StopReceiving(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing is waiting on it.
        }
    }
}
