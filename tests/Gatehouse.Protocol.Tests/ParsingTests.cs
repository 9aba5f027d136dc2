using System.Buffers;
using System.Text;
using Gatehouse.Protocol.Parsing;

namespace Gatehouse.Protocol.Tests;

public class ParsingTests
{
    [Theory]
    [InlineData("USER alice", "USER", "alice")]
    [InlineData("user alice", "USER", "alice")]
    [InlineData("STOR my file .txt ", "STOR", "my file .txt ")]
    [InlineData("PWD", "PWD", "")]
    [InlineData("PASV ", "PASV", "")]
    public void Splits_verb_and_keeps_argument_exactly(string line, string verb, string argument)
    {
        Assert.True(FtpCommandParser.TryParse(line, out var command, out _));
        Assert.Equal(verb, command.Verb);
        Assert.Equal(argument, command.Argument);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" USER x")]
    [InlineData("US3R x")]
    [InlineData("TOOLONGVERB x")]
    [InlineData("\u00e9T\u00c9 x")]
    public void Rejects_malformed_verbs(string line) => Assert.False(FtpCommandParser.TryParse(line, out _, out _));

    [Fact]
    public void Password_never_appears_in_the_log_form() =>
        Assert.Equal("PASS ****", new FtpCommand("PASS", "hunter2").ToLogString());

    [Fact]
    public void Telnet_interrupt_and_data_mark_before_abor_are_removed()
    {
        byte[] input = [255, 244, 255, 242, .. "ABOR"u8];
        var output = new byte[input.Length];
        var length = TelnetDecoder.Decode(input, output);
        Assert.Equal("ABOR", Encoding.ASCII.GetString(output, 0, length));
    }

    [Fact]
    public void Telnet_option_negotiation_is_dropped_and_escaped_iac_kept()
    {
        byte[] input = [255, 251, 1, (byte)'N', 255, 255, (byte)'X', 255, 253, 3, (byte)'P'];
        var output = new byte[input.Length];
        var length = TelnetDecoder.Decode(input, output);
        Assert.Equal(new byte[] { (byte)'N', 255, (byte)'X', (byte)'P' }, output[..length]);
    }

    [Fact]
    public void Trailing_lone_iac_is_dropped()
    {
        byte[] input = [(byte)'A', 255];
        var output = new byte[2];
        Assert.Equal(1, TelnetDecoder.Decode(input, output));
    }

    private static List<string> Frame(ControlLineFramer framer, ref ReadOnlySequence<byte> buffer, List<FrameResult>? results = null)
    {
        var lines = new List<string>();
        while (true)
        {
            var result = framer.TryRead(ref buffer, out var line);
            results?.Add(result);
            if (result == FrameResult.NeedMoreData)
            {
                return lines;
            }

            if (result == FrameResult.Line)
            {
                Assert.True(ControlLineDecoder.TryDecode(line, out var text));
                lines.Add(text);
            }
        }
    }

    [Fact]
    public void Frames_crlf_and_bare_lf_lines_and_waits_for_the_rest()
    {
        var framer = new ControlLineFramer();
        var buffer = new ReadOnlySequence<byte>("USER a\r\nPASS b\nNOO"u8.ToArray());
        Assert.Equal(["USER a", "PASS b"], Frame(framer, ref buffer));
        Assert.Equal(3, buffer.Length);
    }

    [Fact]
    public void Overlong_line_is_reported_once_and_skipped_to_its_end()
    {
        var framer = new ControlLineFramer(16);
        var results = new List<FrameResult>();
        var first = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(new string('A', 40)));
        Frame(framer, ref first, results);
        Assert.Equal([FrameResult.TooLong, FrameResult.NeedMoreData], results);
        Assert.Equal(0, first.Length);

        var rest = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(new string('B', 40) + "\r\nNOOP\r\n"));
        Assert.Equal(["NOOP"], Frame(framer, ref rest));
    }

    [Fact]
    public void Overlong_line_arriving_whole_is_refused()
    {
        var framer = new ControlLineFramer(16);
        var results = new List<FrameResult>();
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(new string('A', 20) + "\nNOOP\n"));
        Assert.Equal(["NOOP"], Frame(framer, ref buffer, results));
        Assert.Equal(FrameResult.TooLong, results[0]);
    }

    [Fact]
    public void Utf8_names_decode_and_invalid_utf8_is_refused()
    {
        Assert.True(ControlLineDecoder.TryDecode(new ReadOnlySequence<byte>("RETR Grüße.txt\r"u8.ToArray()), out var text));
        Assert.Equal("RETR Grüße.txt", text);
        Assert.False(ControlLineDecoder.TryDecode(new ReadOnlySequence<byte>([(byte)'R', 0xC3, 0x28]), out _));
    }
}
