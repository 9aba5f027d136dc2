using Gatehouse.Protocol.Replies;
using Gatehouse.Storage;

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

    [Theory]
    [InlineData(FileSystemError.NotFound, 550, 451)]
    [InlineData(FileSystemError.PermissionDenied, 550, 451)]
    [InlineData(FileSystemError.QuotaExceeded, 552, 552)]
    [InlineData(FileSystemError.IoError, 451, 451)]
    public void Storage_errors_after_150_use_the_codes_rfc959_allows_there(FileSystemError error, int before, int after)
    {
        var exception = new FileSystemException(error, "/gone does not exist.");
        Assert.Equal(before, StorageReplies.For(exception).Code);
        Assert.Equal(after, StorageReplies.AfterOpening(exception).Code);
        Assert.StartsWith("/gone does not exist.", StorageReplies.AfterOpening(exception).Lines[0], StringComparison.Ordinal);
    }
}
