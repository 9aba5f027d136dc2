using System.Buffers;
using System.Net.Sockets;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// Copies two connected sockets into each other until both directions have ended, passing each end-of-stream on as
/// a half-close (an upload ends with the client's FIN). TLS passes through untouched: the relaying node never sees
/// the plaintext.
/// </summary>
public static class ByteRelay
{
    private const int BufferSize = 64 * 1024;

    /// <summary>How long the other direction may still run once one has ended (an abandoned peer cannot hold the relay).</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(60);

    /// <returns>Bytes moved from <paramref name="first"/> to <paramref name="second"/>, and back.</returns>
    public static async Task<(long Forward, long Back)> RunAsync(Socket first, Socket second, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var forward = CopyAsync(first, second, stop.Token);
        var back = CopyAsync(second, first, stop.Token);
        try
        {
            var ended = await Task.WhenAny(forward, back).ConfigureAwait(false);
            if (ended.IsFaulted || ended.IsCanceled)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }
            else
            {
                stop.CancelAfter(Linger);
            }

            await Task.WhenAll(forward, back).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side vanished: closing both (below) tells the other.
        }
        finally
        {
            first.Dispose();
            second.Dispose();
        }

        return (Moved(forward), Moved(back));
    }

    private static long Moved(Task<long> copy) => copy.IsCompletedSuccessfully ? copy.Result : 0;

    private static async Task<long> CopyAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long moved = 0;
            int read;
            while ((read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
            {
                for (var sent = 0; sent < read;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }

                moved += read;
            }

            to.Shutdown(SocketShutdown.Send);
            return moved;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
