namespace Gatehouse.Storage.Local;

/// <summary>
/// An upload's file, which asks the kernel to start writing each finished stretch to disk while the rest still
/// arrives (sync_file_range, SYNC_FILE_RANGE_WRITE: start the write-back, do not wait for it). The fsync before 226
/// then finds little left to write, instead of the whole file serial after the network copy. Where the call is
/// missing (other systems, some file systems) it is simply not made: the final fsync does all of the work.
/// </summary>
internal sealed class EarlyWritebackStream : WriteOnlyStream
{
    private const long Stretch = 1 << 20;

    private readonly FileStream _file;
    private long _writtenBack;
    private bool _unsupported;

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

    /// <summary>Flushes to the device: what is not written back yet is written now, and waited for.</summary>
    public void FlushToDisk() => _file.Flush(flushToDisk: true);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
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
