using System.IO.Pipelines;
using System.Text;

namespace Gatehouse.Protocol.Tests;

/// <summary>A duplex stream whose input stays open, like a socket: a read with nothing buffered waits.</summary>
internal sealed class InMemoryConnection : IAsyncDisposable
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    public InMemoryConnection() => Server = new DuplexStream(_toServer.Reader.AsStream(), _toClient.Writer.AsStream());

    public Stream Server { get; }

    public Task SendAsync(string text) => _toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    public async Task SendAsync(byte[] bytes) => await _toServer.Writer.WriteAsync(bytes);

    public async Task<string> ReceivedAsync()
    {
        var result = await _toClient.Reader.ReadAsync();
        var text = Encoding.UTF8.GetString(result.Buffer);
        _toClient.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    /// <summary>The next complete FTP reply (every line of a multi-line one), as sent.</summary>
    public async Task<string> ReplyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _toClient.Reader.ReadAsync(cancellationToken);
            var text = Encoding.UTF8.GetString(result.Buffer);
            if (CompleteReplyLength(text) is { } length)
            {
                _toClient.Reader.AdvanceTo(result.Buffer.GetPosition(Encoding.UTF8.GetByteCount(text[..length])));
                return text[..length];
            }

            _toClient.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"The server closed the connection after: {text}");
            }
        }
    }

    /// <summary>Where the first complete reply ends: after the line that starts with its code and a space (RFC 959 4.2).</summary>
    private static int? CompleteReplyLength(string text)
    {
        var start = 0;
        while (text.IndexOf("\r\n", start, StringComparison.Ordinal) is var end and >= 0)
        {
            if (end - start >= 4 && char.IsAsciiDigit(text[start]) && text[start + 3] == ' ' && (start == 0 || text.AsSpan(start, 3).SequenceEqual(text.AsSpan(0, 3))))
            {
                return end + 2;
            }

            start = end + 2;
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await Server.DisposeAsync();
    }
}

internal sealed class DuplexStream(Stream input, Stream output) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);

    public override void Flush() => output.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
