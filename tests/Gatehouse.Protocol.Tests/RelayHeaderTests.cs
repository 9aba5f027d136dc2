using System.Net;
using Gatehouse.Protocol.Cluster;

namespace Gatehouse.Protocol.Tests;

public sealed class RelayHeaderTests
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("198.51.100.7", 40123, 50001)]
    [InlineData("2001:db8::7", 1, 65535)]
    public void A_header_reads_back_what_was_written(string address, int clientPort, int passivePort)
    {
        var header = RelayHeader.Write(Token, new IPEndPoint(IPAddress.Parse(address), clientPort), passivePort);

        Assert.Equal(RelayHeader.Length, header.Length);
        Assert.True(RelayHeader.TryRead(header, out var token, out var client, out var port));
        Assert.Equal(Token, token);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), clientPort), client);
        Assert.Equal(passivePort, port);
    }

    [Fact]
    public void Anything_else_is_refused()
    {
        var header = RelayHeader.Write(Token, new IPEndPoint(IPAddress.Loopback, 1), 50001);
        Assert.False(RelayHeader.TryRead(header.AsSpan(0, RelayHeader.Length - 1), out _, out _, out _));
        Assert.False(RelayHeader.TryRead("PROXY TCP4 198.51.100.7 192.0.2.1 40000 21\r\n"u8[..RelayHeader.Length], out _, out _, out _));
        header[0] = (byte)'X';
        Assert.False(RelayHeader.TryRead(header, out _, out _, out _));
    }
}
