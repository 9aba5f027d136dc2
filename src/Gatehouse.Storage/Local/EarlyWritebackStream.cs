using System.Buffers;
using System.Net.Sockets;

namespace Gatehouse.Storage.Local;

/// <summary>
/// An upload's file, which asks the kernel to start writing each finished stretch to disk while the rest still
/// arrives (sync_file_range, SYNC_FILE_RANGE_WRITE: start the write-back, do not wait for it). The fsync before 226
/// then finds little left to write, instead of the whole file serial after the network copy. Where the call is
/// missing (other systems, some file systems) it is simply not made: the final fsync does all of the work.
/// A plain upload's bytes may also come straight from its socket (<see cref="ISocketReceiver"/>, a <see cref="SplicePipe"/>).
/// </summary>
internal sealed class EarlyWritebackStream : WriteOnlyStream, ISocketReceiver
{
    private const long Stretch = 1 << 20;

    private readonly FileStream _file;
    private long _writtenBack;
    private bool _unsupported;
    private SplicePipe? _pipe;
    private bool _spliceRefused;

    public EarlyWritebackStream(FileStream file)
        : base(file)
    {
        _file = file;
        _writtenBack = file.Position;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _file.Write(buffer);
        StartWritebackOfFinishedStretch();
    }

    /// <summary>
    /// Writes in the calling thread. The file is opened for synchronous I/O, whose WriteAsync would queue the same
    /// blocking write to another pool thread: one hand-off more per block, which for a small file costs more than
    /// the write into the page cache itself.
    /// </summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception failure)
        {
            return ValueTask.FromException(failure);
        }
    }

    public bool CanReceive => !_spliceRefused && (_pipe ??= SplicePipe.TryCreate()) is not null;

    public int? ReceiveFrom(Socket socket, int maximum, Action<int>? admitting = null)
    {
        var pipe = _pipe ?? throw new InvalidOperationException("Ask CanReceive first.");
        var count = pipe.Fill(socket.SafeHandle, maximum);
        if (count is not > 0)
        {
            return count;
        }

        admitting?.Invoke(count.Value);
        var offset = _file.Position;
        int left;
        try
        {
            left = pipe.Drain(_file.SafeFileHandle, ref offset, count.Value);
        }
        finally
        {
            _file.Position = offset;
        }

        if (left > 0)
        {
            WriteOutRefusedSplice(pipe, left);
        }

        StartWritebackOfFinishedStretch();
        return count;
    }

    /// <summary>The file system takes no splice: what sits in the pipe is written the ordinary way, and so is the rest.</summary>
    private void WriteOutRefusedSplice(SplicePipe pipe, int count)
    {
        _spliceRefused = true;
        var buffer = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            var read = 0;
            while (read < count)
            {
                read += pipe.Read(buffer.AsSpan(read, count - read));
            }

            _file.Write(buffer, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Flushes to the device: what is not written back yet is written now, and waited for.</summary>
    public void FlushToDisk() => _file.Flush(flushToDisk: true);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
            _pipe?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        _pipe?.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void StartWritebackOfFinishedStretch()
    {
        var position = _file.Position;
        if (_unsupported || position - _writtenBack < Stretch)
        {
            return;
        }

        _unsupported = !NativeFileApi.StartWriteback(_file.SafeFileHandle, _writtenBack, position - _writtenBack);
        _writtenBack = position;
    }
}
