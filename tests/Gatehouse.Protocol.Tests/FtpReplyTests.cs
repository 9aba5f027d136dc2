using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Tests;

public class FtpReplyTests
{
    [Fact]
    public void Single_line_reply() => Assert.Equal("200 OK.\r\n", new FtpReply(200, "OK.").Format());

    [Fact]
    public void Multi_line_reply_has_rfc959_form_with_indented_middle_lines() =>
        Assert.Equal("211-Features:\r\n AUTH TLS\r\n 227 looks like a code\r\n211 End\r\n",
            new FtpReply(211, ["Features:", "AUTH TLS", "227 looks like a code", "End"]).Format());

    [Fact]
    public void Line_breaks_inside_text_cannot_split_a_reply() =>
        Assert.Equal("550 a  b does not exist.\r\n", new FtpReply(550, "a\r\nb does not exist.").Format());

    [Fact]
    public void Quotes_in_257_paths_are_doubled() =>
        Assert.Equal("\"/say \"\"hi\"\"\"", FtpReply.Quote("/say \"hi\""));
}
