using System.Text;
using Gatehouse.Protocol.DataChannel;

namespace Gatehouse.Protocol.Tests;

public class AsciiConverterTests
{
    private static string ToNetwork(params string[] chunks)
    {
        var converter = new AsciiConverter();
        var output = new StringBuilder();
        foreach (var chunk in chunks)
        {
            var buffer = new byte[chunk.Length * 2];
            var length = converter.ToNetwork(Encoding.ASCII.GetBytes(chunk), buffer);
            output.Append(Encoding.ASCII.GetString(buffer, 0, length));
        }

        return output.ToString();
    }

    private static string ToLocal(params string[] chunks)
    {
        var converter = new AsciiConverter();
        var output = new StringBuilder();
        foreach (var chunk in chunks)
        {
            var buffer = new byte[chunk.Length + 1];
            var length = converter.ToLocal(Encoding.ASCII.GetBytes(chunk), buffer);
            output.Append(Encoding.ASCII.GetString(buffer, 0, length));
        }

        var tail = new byte[1];
        output.Append(Encoding.ASCII.GetString(tail, 0, converter.FlushLocal(tail)));
        return output.ToString();
    }

    [Theory]
    [InlineData("a\nb\n", "a\r\nb\r\n")]
    [InlineData("a\r\nb", "a\r\nb")]
    [InlineData("\n\n", "\r\n\r\n")]
    [InlineData("no newline", "no newline")]
    public void Download_turns_lf_into_crlf_once(string local, string network) => Assert.Equal(network, ToNetwork(local));

    [Fact]
    public void Download_conversion_carries_state_across_buffers() =>
        Assert.Equal("a\r\nb\r\n", ToNetwork("a\r", "\nb", "\n"));

    [Theory]
    [InlineData("a\r\nb\r\n", "a\nb\n")]
    [InlineData("a\rb", "a\rb")]
    [InlineData("end\r", "end\r")]
    public void Upload_turns_crlf_into_lf_and_keeps_lone_cr(string network, string local) => Assert.Equal(local, ToLocal(network));

    [Fact]
    public void Upload_conversion_handles_crlf_split_across_buffers()
    {
        Assert.Equal("a\nb", ToLocal("a\r", "\nb"));
        Assert.Equal("a\rb", ToLocal("a\r", "b"));
    }
}
