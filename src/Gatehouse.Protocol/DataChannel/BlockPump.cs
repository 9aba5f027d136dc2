using System.Buffers;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Reads a stream to its end and hands it to a sink in large blocks, reading the next block while the sink works.
/// A block gathers every read that completes at once: a TLS stream yields one 16 KiB record per read, and handing
/// each record on alone costs a file write, a task and a thread-pool hop per record (65,536 per GiB). The first
/// read that has to wait becomes the read-ahead, into the free part of the same buffer, or of the other buffer
/// when this one is nearly full; the sink never sees a byte later than it would have without gathering.
/// </summary>
public static class BlockPump
{
    /// <summary>Below this much free space a buffer takes no more reads: a smaller read would split a TLS record.</summary>
    public const int MinimumRead = 64 << 10;

    public static async Task RunAsync(Stream source, int bufferSize, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, MinimumRead);
        var current = ArrayPool<byte>.Shared.Rent(bufferSize);
        var other = ArrayPool<byte>.Shared.Rent(bufferSize);
        using var readAhead = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<int>? pending = null;
        try
        {
            var start = 0;
            var end = await source.ReadAsync(current.AsMemory(0, bufferSize), cancellationToken).ConfigureAwait(false);
            var ended = end == 0;
            while (!ended)
            {
                var pendingOffset = 0;
                while (bufferSize - end >= MinimumRead)
                {
                    var read = source.ReadAsync(current.AsMemory(end, bufferSize - end), readAhead.Token);
                    if (!read.IsCompleted)
                    {
                        pending = read.AsTask();
                        pendingOffset = end;
                        break;
                    }

                    var count = read.Result;
                    ended = count == 0;
                    if (ended)
                    {
                        break;
                    }

                    end += count;
                }

                var pendingInOther = false;
                if (pending is null && !ended)
                {
                    pending = source.ReadAsync(other.AsMemory(0, bufferSize), readAhead.Token).AsTask();
                    pendingInOther = true;
                }

                await sink(current.AsMemory(start, end - start), cancellationToken).ConfigureAwait(false);
                if (pending is null)
                {
                    break;
                }

                var arrived = await pending.ConfigureAwait(false);
                pending = null;
                ended = arrived == 0;
                if (pendingInOther)
                {
                    (current, other) = (other, current);
                }

                start = pendingOffset;
                end = pendingOffset + arrived;
            }
        }
        finally
        {
            if (pending is not null)
            {
                // The sink failed: stop the read-ahead (a client may never send more), and return the buffers to
                // the pool only once that read is over.
                await readAhead.CancelAsync().ConfigureAwait(false);
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(other);
        }
    }
}
