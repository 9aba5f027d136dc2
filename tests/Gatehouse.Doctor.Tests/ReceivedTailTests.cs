using System.Text;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor.Tests;

public sealed class ReceivedTailTests
{
    private static readonly byte[] Record = [0x17, 0x03, 0x03, 0x00, 0x04, 1, 2, 3, 4];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public async Task Plain_text_after_tls_records_is_found_however_it_is_read(int chunk)
    {
        var received = Record.Concat(Record).Concat("500 OOPS: cannot change directory:/srv/ftp\r\n500 OOPS: child died\r\n"u8.ToArray()).ToArray();
        var tail = new ReceivedTail(new MemoryStream(received));

        await ReadAllAsync(tail, chunk, stopAtPlainText: true);

        Assert.True(tail.SawPlainText);
        Assert.Equal("500 OOPS: cannot change directory:/srv/ftp / 500 OOPS: child died", await tail.ReadPlainReplyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Tls_records_alone_are_not_plain_text()
    {
        // A record whose payload holds digits: only record boundaries are looked at.
        byte[] digits = [0x17, 0x03, 0x03, 0x00, 0x05, .. Encoding.ASCII.GetBytes("500 O")];
        var tail = new ReceivedTail(new MemoryStream([.. Record, .. digits, .. Record]));

        await ReadAllAsync(tail, 2, stopAtPlainText: false);

        Assert.False(tail.SawPlainText);
    }

    [Fact]
    public async Task Bytes_that_are_no_ftp_reply_give_no_text()
    {
        var tail = new ReceivedTail(new MemoryStream([.. Record, (byte)'S', (byte)'S', (byte)'H', (byte)'-', (byte)'2']));

        await ReadAllAsync(tail, 4096, stopAtPlainText: true);

        Assert.True(tail.SawPlainText);
        Assert.Null(await tail.ReadPlainReplyAsync(CancellationToken.None));
    }

    /// <summary>Reads as SslStream would, until the end or (as SslStream does on a bad record) the first plain text.</summary>
    private static async Task ReadAllAsync(ReceivedTail tail, int chunk, bool stopAtPlainText)
    {
        var buffer = new byte[chunk];
        while (await tail.ReadAsync(buffer) > 0 && !(stopAtPlainText && tail.SawPlainText))
        {
        }
    }
}
