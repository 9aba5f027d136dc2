using System.Buffers;
using System.Net.Security;

namespace Gatehouse.Protocol.Tls;

/// <summary>
/// An upload's data connection under TLS, whose end counts only when the client ended it deliberately. TLS marks that
/// with close_notify, which SslStream reports as the end of the stream while the connection under it is still open; a
/// connection that simply ends (the client crashed, gave up on the data connection, or someone cut it) reaches the
/// end of SslStream through the end of the connection, which is the truncation TLS exists to detect.
/// </summary>
public sealed class TlsUploadStream : Stream
{
    private readonly EndWatch _connection;
    private readonly bool _refuseTruncated;

    /// <param name="refuseTruncated">Whether an end without close_notify fails the read (else it is only recorded).</param>
    public TlsUploadStream(Stream connection, bool refuseTruncated)
    {
        _connection = new EndWatch(connection);
        _refuseTruncated = refuseTruncated;
        Tls = new SslStream(_connection, leaveInnerStreamOpen: false);
    }

    public SslStream Tls { get; }

    /// <summary>Awaited once when the stream ends, before the end is reported to the reader (which then stores the upload).</summary>
    public Func<CancellationToken, Task>? BeforeEnd { get; set; }

    /// <summary>The stream has ended without close_notify (and <c>refuseTruncated</c> was off).</summary>
    public bool EndedWithoutCloseNotify { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = Checked(await Tls.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);
        if (read == 0 && !buffer.IsEmpty && BeforeEnd is { } beforeEnd)
        {
            BeforeEnd = null;
            await beforeEnd(cancellationToken).ConfigureAwait(false);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    private int Checked(int read, int requested)
    {
        if (read == 0 && requested > 0 && _connection.Ended)
        {
            if (_refuseTruncated)
            {
                throw new UploadTruncatedException();
            }

            EndedWithoutCloseNotify = true;
        }

        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await Tls.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Tls.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// The connection under the TLS stream, noting when a read from it finds its end. Reads from the connection are
    /// made in large blocks: SslStream asks for one record at a time (about 16 KiB, in two reads), so reading the
    /// socket directly costs two receives and an asynchronous completion per record, 131,072 per GiB (measured with
    /// strace); a block of <see cref="ReadAheadSize"/> takes whatever has arrived in one receive, and the records in
    /// it are handed to SslStream from memory.
    /// </summary>
    private sealed class EndWatch(Stream inner) : Stream
    {
        private const int ReadAheadSize = 256 << 10;

        private byte[]? _block;
        private int _start;
        private int _end;
        private volatile bool _reading;

        public bool Ended { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_start == _end && !buffer.IsEmpty)
            {
                var block = _block ??= ArrayPool<byte>.Shared.Rent(ReadAheadSize);
                _reading = true;
                try
                {
                    Filled(await inner.ReadAsync(block, cancellationToken).ConfigureAwait(false));
                }
                finally
                {
                    _reading = false;
                }
            }
            else if (_start == _end)
            {
                // A zero-byte read waits for data without taking any (SslStream's idle read).
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            return Take(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_start == _end && count > 0)
            {
                var block = _block ??= ArrayPool<byte>.Shared.Rent(ReadAheadSize);
                Filled(inner.Read(block, 0, block.Length));
            }

            return Take(buffer.AsSpan(offset, count));
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            ReturnBlock();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                ReturnBlock();
            }

            base.Dispose(disposing);
        }

        private void Filled(int count)
        {
            Ended |= count == 0;
            (_start, _end) = (0, count);
        }

        private int Take(Span<byte> destination)
        {
            var count = Math.Min(destination.Length, _end - _start);
            if (count > 0)
            {
                _block.AsSpan(_start, count).CopyTo(destination);
                _start += count;
            }

            return count;
        }

        /// <summary>Gives the block back to the pool, unless a read into it may still be running (an aborted upload).</summary>
        private void ReturnBlock()
        {
            if (!_reading && Interlocked.Exchange(ref _block, null) is { } block)
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }
    }
}

/// <summary>An upload's TLS data connection ended without close_notify: what arrived may be only part of the file.</summary>
public sealed class UploadTruncatedException()
    : IOException("the data connection ended without TLS close_notify, so the upload may be truncated");
