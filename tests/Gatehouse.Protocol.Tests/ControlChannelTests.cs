using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Tests;

public class ControlChannelTests
{
    private static async Task<ControlRead> ReadWithinAsync(ControlChannel channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await channel.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task Pipelined_commands_are_read_without_waiting_for_more_bytes()
    {
        await using var connection = new InMemoryConnection();
        await using var channel = new ControlChannel(connection.Server);
        await connection.SendAsync("USER a\r\nPASS b\r\nNOOP\r\n");
        Assert.Equal(new ControlRead(ControlReadKind.Line, "USER a"), await ReadWithinAsync(channel));
        Assert.Equal(new ControlRead(ControlReadKind.Line, "PASS b"), await ReadWithinAsync(channel));
        Assert.Equal(new ControlRead(ControlReadKind.Line, "NOOP"), await ReadWithinAsync(channel));
    }

    [Fact]
    public async Task Long_line_then_command_in_the_same_packet()
    {
        await using var connection = new InMemoryConnection();
        await using var channel = new ControlChannel(connection.Server);
        await connection.SendAsync(new string('A', 10_000) + "\r\nNOOP\r\n");
        Assert.Equal(ControlReadKind.TooLong, (await ReadWithinAsync(channel)).Kind);
        Assert.Equal(new ControlRead(ControlReadKind.Line, "NOOP"), await ReadWithinAsync(channel));
    }

    [Fact]
    public async Task Invalid_utf8_is_reported_and_the_next_line_still_read()
    {
        await using var connection = new InMemoryConnection();
        await using var channel = new ControlChannel(connection.Server);
        await connection.SendAsync([.. "CWD "u8, 0xC3, 0x28, .. "\r\nPWD\r\n"u8]);
        Assert.Equal(ControlReadKind.InvalidEncoding, (await ReadWithinAsync(channel)).Kind);
        Assert.Equal(new ControlRead(ControlReadKind.Line, "PWD"), await ReadWithinAsync(channel));
    }

    [Fact]
    public async Task Replies_are_written_whole()
    {
        await using var connection = new InMemoryConnection();
        await using var channel = new ControlChannel(connection.Server);
        await channel.WriteAsync(new FtpReply(211, ["Features:", "EPSV", "End"]), default);
        Assert.Equal("211-Features:\r\n EPSV\r\n211 End\r\n", await connection.ReceivedAsync());
    }
}
