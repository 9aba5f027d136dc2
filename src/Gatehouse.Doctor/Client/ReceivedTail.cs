using System.Text;

namespace Gatehouse.Doctor.Client;

/// <summary>
/// The stream under a control connection's TLS, keeping the bytes of the latest read: when TLS fails to read a record,
/// they show whether the server wrote plain text into the TLS connection (vsftpd reports fatal errors that way, as
/// <c>500 OOPS: cannot change directory:/srv/ftp</c>), which .NET reports only as a bad record.
/// </summary>
internal sealed class ReceivedTail(Stream inner) : Stream
{
    private const int Kept = 512;
    private readonly byte[] _latest = new byte[Kept];
    private int _length;

    /// <summary>
    /// The FTP reply lines in the latest bytes read, when they are plain text rather than a TLS record (whose first
    /// byte is a content type, 20 to 23, never a digit); null otherwise.
    /// </summary>
    public string? PlainReply
    {
        get
        {
            if (_length < 4 || !char.IsAsciiDigit((char)_latest[0]) || !char.IsAsciiDigit((char)_latest[1]) || !char.IsAsciiDigit((char)_latest[2]))
            {
                return null;
            }

            var text = Encoding.ASCII.GetString(_latest, 0, _length);
            var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return lines.All(line => line.All(c => c >= ' ' && c < 127)) ? string.Join(" / ", lines) : null;
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            _length = Math.Min(read, Kept);
            buffer.Span[.._length].CopyTo(_latest);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
