using System.Text;

namespace Gatehouse.Doctor.Client;

/// <summary>
/// The stream under a control connection's TLS. It follows the TLS records as they arrive, and keeps whatever comes
/// where a record should begin but does not (vsftpd reports fatal errors by writing plain text into the TLS connection,
/// as <c>500 OOPS: cannot change directory:/srv/ftp</c>), which .NET reports only as a bad record.
/// </summary>
public sealed class ReceivedTail(Stream inner) : Stream
{
    private const int HeaderLength = 5;
    private const int Kept = 512;
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _plain = new byte[Kept];
    private int _headerHave;
    private int _recordLeft;
    private int _plainLength = -1;

    /// <summary>Whether something other than a TLS record arrived where a record should have begun.</summary>
    public bool SawPlainText => _plainLength >= 0;

    /// <summary>
    /// The FTP reply lines the server wrote in plain text where a TLS record should have begun, read to the end (the
    /// server writes them in parts, then closes); null when they are not an FTP reply.
    /// </summary>
    public async Task<string?> ReadPlainReplyAsync(CancellationToken cancellationToken)
    {
        var rest = new byte[Kept];
        try
        {
            while (_plainLength is >= 0 and < Kept)
            {
                using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                pause.CancelAfter(TimeSpan.FromSeconds(1));
                var read = await inner.ReadAsync(rest, pause.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                Follow(rest.AsSpan(0, read));
            }
        }
        catch (Exception error) when (error is IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // What arrived is all there is.
        }

        if (_plainLength < 4 || _plain.AsSpan(0, 3).ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return null;
        }

        var lines = Encoding.ASCII.GetString(_plain, 0, _plainLength).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.All(line => line.All(c => c >= ' ' && c < 127)) ? string.Join(" / ", lines) : null;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Follow(buffer.Span[..read]);
        return read;
    }

    private void Follow(ReadOnlySpan<byte> received)
    {
        while (!received.IsEmpty)
        {
            if (_plainLength >= 0)
            {
                var take = Math.Min(received.Length, Kept - _plainLength);
                received[..take].CopyTo(_plain.AsSpan(_plainLength));
                _plainLength += take;
                return;
            }

            if (_recordLeft > 0)
            {
                var skip = Math.Min(received.Length, _recordLeft);
                _recordLeft -= skip;
                received = received[skip..];
                continue;
            }

            // A record begins with its content type, 20 to 23 (never a digit).
            if (_headerHave == 0 && received[0] is < 20 or > 23)
            {
                _plainLength = 0;
                continue;
            }

            _header[_headerHave++] = received[0];
            received = received[1..];
            if (_headerHave == HeaderLength)
            {
                _recordLeft = (_header[3] << 8) | _header[4];
                _headerHave = 0;
            }
        }
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
