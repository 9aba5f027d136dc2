using Gatehouse.Protocol.DataChannel;

namespace Gatehouse.Protocol.Tests;

public class BlockPumpTests
{
    private const int BufferSize = 256 << 10;
    private const int Record = 16 << 10;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>What both sources share: reading asynchronously is all they do.</summary>
    private abstract class AsyncReadOnlyStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A source that yields at most CHUNK bytes per read, at once or after a yield, as its script says.</summary>
    private sealed class ScriptedSource(byte[] data, int chunk, Func<int, bool> waitsAtRead) : AsyncReadOnlyStream
    {
        private int _position;
        private int _reads;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            waitsAtRead(_reads++) ? ReadLaterAsync(buffer) : ValueTask.FromResult(Take(buffer.Span));

        private async ValueTask<int> ReadLaterAsync(Memory<byte> buffer)
        {
            await Task.Yield();
            return Take(buffer.Span);
        }

        private int Take(Span<byte> buffer)
        {
            var count = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }
    }

    /// <summary>A source whose first read returns data and whose every later read waits until it is cancelled.</summary>
    private sealed class StallingSource : AsyncReadOnlyStream
    {
        private bool _gave;

        public bool ReadCancelled { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_gave)
            {
                _gave = true;
                buffer.Span[0] = 1;
                return 1;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                ReadCancelled = true;
                throw;
            }

            return 0;
        }
    }

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    /// <summary>Pumps SOURCE and checks each block, after the sink has yielded to a concurrent read-ahead, against DATA.</summary>
    private static async Task<List<int>> PumpAndCheckAsync(Stream source, byte[] data)
    {
        var blocks = new List<int>();
        var offset = 0;
        await BlockPump.RunAsync(source, BufferSize, async (block, _) =>
        {
            var expected = data.AsMemory(offset, block.Length);
            await Task.Yield();
            Assert.True(block.Span.SequenceEqual(expected.Span), "a block changed while the sink held it");
            offset += block.Length;
            blocks.Add(block.Length);
        }, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(data.Length, offset);
        return blocks;
    }

    [Fact]
    public async Task Records_that_are_already_there_are_handed_on_together()
    {
        var data = Pattern(4 << 20);
        var blocks = await PumpAndCheckAsync(new ScriptedSource(data, Record, _ => false), data);
        Assert.All(blocks.SkipLast(1), length => Assert.True(length >= BufferSize - (64 << 10), "block of " + length));
        Assert.True(blocks.Count <= data.Length / (BufferSize - (64 << 10)) + 1, blocks.Count + " blocks");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    [InlineData(1)]
    public async Task A_waiting_read_ends_the_block_and_its_data_follows_in_order(int everyNth)
    {
        var data = Pattern((3 << 20) + 12345);
        var blocks = await PumpAndCheckAsync(new ScriptedSource(data, Record, read => read % everyNth == 0), data);
        Assert.True(blocks.Count > 1);
    }

    [Fact]
    public async Task Large_reads_fill_whole_buffers()
    {
        var data = Pattern(5 * BufferSize);
        var blocks = await PumpAndCheckAsync(new ScriptedSource(data, BufferSize, read => read % 2 == 1), data);
        Assert.Equal(5, blocks.Count);
    }

    [Fact]
    public async Task An_empty_source_never_reaches_the_sink()
    {
        var blocks = await PumpAndCheckAsync(new ScriptedSource([], Record, _ => false), []);
        Assert.Empty(blocks);
    }

    [Fact]
    public async Task A_failing_sink_cancels_the_read_ahead_and_its_error_comes_out()
    {
        var source = new StallingSource();
        var failure = await Assert.ThrowsAsync<IOException>(() => BlockPump.RunAsync(source, BufferSize,
            (_, _) => ValueTask.FromException(new IOException("disk full")), CancellationToken.None).WaitAsync(Bound));
        Assert.Equal("disk full", failure.Message);
        Assert.True(source.ReadCancelled);
    }
}
