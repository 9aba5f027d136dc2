using System.Buffers;
using System.Numerics;
using System.Net.Sockets;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Hashing;
using Gatehouse.Protocol.Logging;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Bytes moved so far by a running transfer; read by STAT and the admin API while the copy updates it, and added as
/// they move to gatehouse.transfer.bytes (<paramref name="counted"/>; none for a listing).
/// </summary>
public sealed class TransferProgress(TransferBytes? counted = null)
{
    private long _bytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(long count)
    {
        Interlocked.Add(ref _bytes, count);
        counted?.Add(count);
    }
}

/// <summary>
/// Streams between file and data connection in constant memory, with TYPE A conversion when asked. Plain binary
/// downloads of OS files go zero-copy, plain binary uploads that no digest reads go from socket to file in the kernel;
/// everything else is double-buffered (<see cref="BlockPump"/>), so that
/// reading the next block (disk or network) overlaps writing the current one (and its TLS encryption).
/// </summary>
public static class TransferCopier
{
    private const int BufferSize = 1 << 20;

    public static async Task CopyToNetworkAsync(Stream file, Stream network, bool ascii, TransferProgress progress, TransferThrottle? throttle, CancellationToken cancellationToken)
    {
        if (!ascii && ZeroCopySender.CanSend(file, network))
        {
            await ZeroCopySender.SendAsync((FileStream)file, (NetworkStream)network, progress, throttle, cancellationToken).ConfigureAwait(false);
            return;
        }

        var bufferSize = BufferFor(file);
        var output = ascii ? ArrayPool<byte>.Shared.Rent(bufferSize * 2) : null;
        var converter = ascii ? new AsciiConverter() : null;
        try
        {
            await BlockPump.RunAsync(file, bufferSize, async (block, token) =>
            {
                if (throttle is not null)
                {
                    await throttle.WaitAsync(block.Length, token).ConfigureAwait(false);
                }

                if (converter is not null && output is not null)
                {
                    var converted = converter.ToNetwork(block.Span, output);
                    block = output.AsMemory(0, converted);
                }

                await network.WriteAsync(block, token).ConfigureAwait(false);
                progress.Add(block.Length);
            }, cancellationToken).ConfigureAwait(false);
            await network.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (output is not null)
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
    }

    /// <param name="digest">When given, each block is added to it as it is written, and it is finished at the end.</param>
    public static async Task CopyToLocalAsync(
        Stream network, Stream file, bool ascii, TransferProgress progress, TransferThrottle? throttle, UploadDigest? digest, CancellationToken cancellationToken)
    {
        if (KernelReceiver.CanReceive(network, file, ascii, digest)
            && await KernelReceiver.ReceiveAsync((NetworkStream)network, (ISocketReceiver)file, progress, throttle, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var output = ascii ? ArrayPool<byte>.Shared.Rent(BufferSize + 1) : null;
        var converter = ascii ? new AsciiConverter() : null;
        try
        {
            await BlockPump.RunAsync(network, BufferSize, async (block, token) =>
            {
                progress.Add(block.Length);
                if (throttle is not null)
                {
                    // Not reading while waiting lets TCP flow control slow the client down.
                    await throttle.WaitAsync(block.Length, token).ConfigureAwait(false);
                }

                if (converter is not null && output is not null)
                {
                    var converted = converter.ToLocal(block.Span, output);
                    block = output.AsMemory(0, converted);
                }

                digest?.Append(block.Span);
                await file.WriteAsync(block, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);

            if (converter is not null && output is not null)
            {
                var tail = converter.FlushLocal(output);
                digest?.Append(output.AsSpan(0, tail));
                await file.WriteAsync(output.AsMemory(0, tail), cancellationToken).ConfigureAwait(false);
            }

            digest?.Finish();
        }
        finally
        {
            if (output is not null)
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
    }

    /// <summary>
    /// A download's buffers fit what is left of the file, up to 1 MiB: a 4 KiB file does not rent 2 MiB, which the
    /// shared pool would then keep (measured: 56 MiB of 1 MiB buffers held after a churn of small TLS downloads).
    /// </summary>
    private static int BufferFor(Stream file) =>
        file.CanSeek
            ? (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(file.Length - file.Position, 1)), BlockPump.MinimumRead, BufferSize)
            : BufferSize;
}
