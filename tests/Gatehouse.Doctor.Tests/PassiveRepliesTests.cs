using System.Net;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor.Tests;

/// <summary>The doctor's own reading of 227 and 229 replies: the forms real servers send, and malformed ones.</summary>
public sealed class PassiveRepliesTests
{
    [Theory]
    [InlineData("Entering Passive Mode (192,168,1,2,195,80).", "192.168.1.2:50000")] // Gatehouse, vsftpd
    [InlineData("Entering Passive Mode (192,168,1,2,195,80)", "192.168.1.2:50000")] // no full stop
    [InlineData("Entering Passive Mode 198,18,2,1,195,81", "198.18.2.1:50001")] // no parentheses
    [InlineData("Entering passive mode. 127,0,0,1,4,51", "127.0.0.1:1075")] // this and the next: forms curl's parser lists
    [InlineData("Data transfer will passively listen to 127,0,0,1,4,51", "127.0.0.1:1075")]
    [InlineData("=127,0,0,1,4,51", "127.0.0.1:1075")]
    [InlineData("Entering Passive Mode (192, 168, 1, 2, 195, 80)", "192.168.1.2:50000")] // a space after each comma
    [InlineData("Entering Passive Mode (010,000,001,002,000,021)", "10.0.1.2:21")] // leading zeros
    [InlineData("Entering Passive Mode (192,168,1,2,195,80", "192.168.1.2:50000")] // no closing parenthesis
    [InlineData("Passive mode 2, port 1,2 first: (192,168,1,2,195,80). Connect within 30 s", "192.168.1.2:50000")] // other numbers around
    [InlineData("Entering Passive Mode (0,0,0,0,0,1)", "0.0.0.0:1")] // the smallest values
    [InlineData("Entering Passive Mode (255,255,255,255,255,255)", "255.255.255.255:65535")] // the largest
    public void Pasv_replies_give_the_announced_endpoint(string text, string endpoint)
    {
        Assert.True(PassiveReplies.TryParsePasv(new ServerReply(227, [text]), out var parsed));
        Assert.Equal(IPEndPoint.Parse(endpoint), parsed);
    }

    [Fact]
    public void A_multi_line_pasv_reply_is_read_across_its_lines()
    {
        Assert.True(PassiveReplies.TryParsePasv(new ServerReply(227, ["Entering Passive Mode", "(192,0,2,7,4,0)"]), out var parsed));
        Assert.Equal(IPEndPoint.Parse("192.0.2.7:1024"), parsed);
    }

    [Theory]
    [InlineData(227, "Entering Passive Mode (300,1,1,1,1,1)")] // a number above 255
    [InlineData(227, "Entering Passive Mode (192,168,1,2,195,256)")]
    [InlineData(227, "Entering Passive Mode (1234,168,1,2,195,80)")] // four digits: not read as 234
    [InlineData(227, "Entering Passive Mode (192,168,1,2,195,80000000000)")] // too long for any number type
    [InlineData(227, "Entering Passive Mode (1,1,1,1,1)")] // five numbers
    [InlineData(227, "Entering Passive Mode (192,168,1,2,195,80,7)")] // seven numbers
    [InlineData(227, "Entering Passive Mode (192,168,1,2,195,)")]
    [InlineData(227, "Entering Passive Mode (192.168.1.2,195,80)")] // dots are not commas
    [InlineData(227, "Entering Passive Mode (192,168,1,2,0,0)")] // port 0
    [InlineData(227, "Entering Passive Mode")]
    [InlineData(227, "")]
    [InlineData(425, "Entering Passive Mode (192,168,1,2,195,80)")] // not a 227
    [InlineData(229, "Entering Passive Mode (192,168,1,2,195,80)")]
    public void Malformed_pasv_replies_are_not_read(int code, string text)
    {
        Assert.False(PassiveReplies.TryParsePasv(new ServerReply(code, [text]), out var parsed));
        Assert.Equal(new IPEndPoint(IPAddress.None, 0), parsed);
    }

    [Theory]
    [InlineData("Entering Extended Passive Mode (|||50001|)", 50001)] // RFC 2428's form, vsftpd
    [InlineData("Entering Extended Passive Mode (|||50001|).", 50001)] // Gatehouse
    [InlineData("Extended Passive mode OK (|||6446|)", 6446)] // other words
    [InlineData("Entering Extended Passive Mode (!!!65535!)", 65535)] // another delimiter
    [InlineData("Entering Extended Passive Mode (###1#)", 1)]
    [InlineData("Entering Extended Passive Mode (~~~21~)", 21)]
    [InlineData("Entering Extended Passive Mode (|||50001|", 50001)] // no closing parenthesis, as curl and FileZilla accept
    [InlineData("Entering Extended Passive Mode (RFC 2428) (|||50001|)", 50001)] // another parenthesis first
    [InlineData("Entering Extended Passive Mode (|||050001|)", 50001)] // a leading zero
    public void Epsv_replies_give_the_port(string text, int port)
    {
        Assert.True(PassiveReplies.TryParseEpsv(new ServerReply(229, [text]), out var parsed));
        Assert.Equal(port, parsed);
    }

    [Theory]
    [InlineData(229, "Entering Extended Passive Mode (||50001|)")] // two delimiters
    [InlineData(229, "Entering Extended Passive Mode (|!|50001|)")] // not the same delimiter
    [InlineData(229, "Entering Extended Passive Mode (|||50001!)")]
    [InlineData(229, "Entering Extended Passive Mode (|||50001)")] // no closing delimiter
    [InlineData(229, "Entering Extended Passive Mode (|||0|)")] // port 0
    [InlineData(229, "Entering Extended Passive Mode (|||70000|)")] // above 65535
    [InlineData(229, "Entering Extended Passive Mode (|||99999999999|)")]
    [InlineData(229, "Entering Extended Passive Mode (|||-1|)")]
    [InlineData(229, "Entering Extended Passive Mode (||||)")] // no port
    [InlineData(229, "Entering Extended Passive Mode (|||5 0001|)")]
    [InlineData(229, "Entering Extended Passive Mode (   50001 )")] // a space is no delimiter (RFC 2428: ASCII 33-126)
    [InlineData(229, "Entering Extended Passive Mode (111500011)")] // a digit is no delimiter: the port would be ambiguous
    [InlineData(229, "Entering Extended Passive Mode |||50001|")] // no parenthesis
    [InlineData(229, "Entering Extended Passive Mode (")]
    [InlineData(229, "")]
    [InlineData(227, "Entering Extended Passive Mode (|||50001|)")] // not a 229
    [InlineData(500, "Entering Extended Passive Mode (|||50001|)")]
    public void Malformed_epsv_replies_are_not_read(int code, string text)
    {
        Assert.False(PassiveReplies.TryParseEpsv(new ServerReply(code, [text]), out var parsed));
        Assert.Equal(0, parsed);
    }
}
