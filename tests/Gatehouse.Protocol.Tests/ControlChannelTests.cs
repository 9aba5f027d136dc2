using System.IO.Pipelines;
using System.Text;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Tests;

public class ControlChannelTests
{
    /// <summary>A duplex stream whose input stays open, like a socket: a read with nothing buffered waits.</summary>
    private sealed class OpenConnection : IAsyncDisposable
    {
        private readonly Pipe _toServer = new();
        private readonly Pipe _toClient = new();

        public OpenConnection() => Server = new DuplexStream(_toServer.Reader.AsStream(), _toClient.Writer.AsStream());

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

        public async ValueTask DisposeAsync()
        {
            await _toServer.Writer.CompleteAsync();
            await Server.DisposeAsync();
        }
    }

    private sealed class DuplexStream(Stream input, Stream output) : Stream
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

    private static async Task<ControlRead> ReadWithinAsync(ControlChannel channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await channel.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task Pipelined_commands_are_read_without_waiting_for_more_bytes()
    {
        await using var connection = new OpenConnection();
        await using var channel = new ControlChannel(connection.Server);
        await connection.SendAsync("USER a\r\nPASS b\r\nNOOP\r\n");
        Assert.Equal(new ControlRead(ControlReadKind.Line, "USER a"), await ReadWithinAsync(channel));
        Assert.Equal(new ControlRead(ControlReadKind.Line, "PASS b"), await ReadWithinAsync(channel));
        Assert.Equal(new ControlRead(ControlReadKind.Line, "NOOP"), await ReadWithinAsync(channel));
    }

    [Fact]
    public async Task Long_line_then_command_in_the_same_packet()
    {
        await using var connection = new OpenConnection();
        await using var channel = new ControlChannel(connection.Server);
        await connection.SendAsync(new string('A', 10_000) + "\r\nNOOP\r\n");
        Assert.Equal(ControlReadKind.TooLong, (await ReadWithinAsync(channel)).Kind);
        Assert.Equal(new ControlRead(ControlReadKind.Line, "NOOP"), await ReadWithinAsync(channel));
    }

    [Fact]
    public async Task Invalid_utf8_is_reported_and_the_next_line_still_read()
    {
        await using var connection = new OpenConnection();
        await using var channel = new ControlChannel(connection.Server);
        await connection.SendAsync([.. "CWD "u8, 0xC3, 0x28, .. "\r\nPWD\r\n"u8]);
        Assert.Equal(ControlReadKind.InvalidEncoding, (await ReadWithinAsync(channel)).Kind);
        Assert.Equal(new ControlRead(ControlReadKind.Line, "PWD"), await ReadWithinAsync(channel));
    }

    [Fact]
    public async Task Replies_are_written_whole()
    {
        await using var connection = new OpenConnection();
        await using var channel = new ControlChannel(connection.Server);
        await channel.WriteAsync(new FtpReply(211, ["Features:", "EPSV", "End"]), default);
        Assert.Equal("211-Features:\r\n EPSV\r\n211 End\r\n", await connection.ReceivedAsync());
    }
}
