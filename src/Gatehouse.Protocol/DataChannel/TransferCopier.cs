using System.Buffers;
using System.Net.Sockets;
using Gatehouse.Protocol.Access;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>Bytes moved so far by a running transfer; read by STAT while the copy updates it.</summary>
public sealed class TransferProgress
{
    private long _bytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(long count) => Interlocked.Add(ref _bytes, count);
}

/// <summary>Streams between file and data connection in constant memory, with TYPE A conversion when asked.</summary>
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

        var input = ArrayPool<byte>.Shared.Rent(BufferSize);
        var output = ascii ? ArrayPool<byte>.Shared.Rent(BufferSize * 2) : null;
        var converter = ascii ? new AsciiConverter() : null;
        try
        {
            int read;
            while ((read = await file.ReadAsync(input.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (throttle is not null)
                {
                    await throttle.WaitAsync(read, cancellationToken).ConfigureAwait(false);
                }

                if (converter is null)
                {
                    await network.WriteAsync(input.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    progress.Add(read);
                }
                else
                {
                    var converted = converter.ToNetwork(input.AsSpan(0, read), output);
                    await network.WriteAsync(output.AsMemory(0, converted), cancellationToken).ConfigureAwait(false);
                    progress.Add(converted);
                }
            }

            await network.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            if (output is not null)
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
    }

    public static async Task CopyToLocalAsync(Stream network, Stream file, bool ascii, TransferProgress progress, TransferThrottle? throttle, CancellationToken cancellationToken)
    {
        var input = ArrayPool<byte>.Shared.Rent(BufferSize);
        var output = ascii ? ArrayPool<byte>.Shared.Rent(BufferSize + 1) : null;
        var converter = ascii ? new AsciiConverter() : null;
        try
        {
            int read;
            while ((read = await network.ReadAsync(input.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                progress.Add(read);
                if (throttle is not null)
                {
                    // Not reading while waiting lets TCP flow control slow the client down.
                    await throttle.WaitAsync(read, cancellationToken).ConfigureAwait(false);
                }

                if (converter is null)
                {
                    await file.WriteAsync(input.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var converted = converter.ToLocal(input.AsSpan(0, read), output);
                    await file.WriteAsync(output.AsMemory(0, converted), cancellationToken).ConfigureAwait(false);
                }
            }

            if (converter is not null && output is not null)
            {
                var tail = converter.FlushLocal(output);
                await file.WriteAsync(output.AsMemory(0, tail), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            if (output is not null)
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
    }
}
