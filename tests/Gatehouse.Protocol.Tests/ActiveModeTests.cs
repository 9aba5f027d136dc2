using System.Net;
using Gatehouse.Protocol.DataChannel;

namespace Gatehouse.Protocol.Tests;

public class ActiveModeTests
{
    [Fact]
    public void Parses_port_argument()
    {
        Assert.True(ActiveModeParser.TryParsePort("127,0,0,1,195,80", out var endpoint, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 195 * 256 + 80), endpoint);
    }

    [Theory]
    [InlineData("127,0,0,1,195")]
    [InlineData("127,0,0,1,256,1")]
    [InlineData("a,b,c,d,e,f")]
    [InlineData("127,0,0,1,-1,5")]
    [InlineData("")]
    public void Rejects_malformed_port_arguments(string argument) =>
        Assert.False(ActiveModeParser.TryParsePort(argument, out _, out _));

    [Theory]
    [InlineData("|1|132.235.1.2|6275|", "132.235.1.2", 6275)]
    [InlineData("|2|::1|5282|", "::1", 5282)]
    [InlineData("!2!1080::8:800:200C:417A!5282!", "1080::8:800:200C:417A", 5282)]
    public void Parses_eprt_arguments(string argument, string address, int port)
    {
        Assert.True(ActiveModeParser.TryParseEprt(argument, out var endpoint, out _, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endpoint);
    }

    [Theory]
    [InlineData("|1|::1|5282|", false)]
    [InlineData("|2|127.0.0.1|5282|", false)]
    [InlineData("|3|127.0.0.1|5282|", true)]
    [InlineData("|1|127.0.0.1|0|", false)]
    [InlineData("|1|127.0.0.1|70000|", false)]
    [InlineData("1|127.0.0.1|5|", false)]
    public void Rejects_bad_eprt_arguments(string argument, bool unsupportedProtocol)
    {
        Assert.False(ActiveModeParser.TryParseEprt(argument, out _, out _, out var unsupported));
        Assert.Equal(unsupportedProtocol, unsupported);
    }
}
