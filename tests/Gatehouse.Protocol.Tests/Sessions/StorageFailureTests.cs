using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>
/// Failures of the operating system's storage as a session meets them untranslated: an expected condition (name too
/// long, no space, quota, read-only, permission) gets its defined reply and one log line without a stack trace; anything
/// else is a bug, answered 451 and logged with its exception. Either way the session goes on.
/// </summary>
public sealed class StorageFailureTests
{
    private static Exception Failure(string kind) => kind switch
    {
        "PathTooLong" => new PathTooLongException("The path '/srv/ftp/home/alice/reports' is too long, or a component of the specified path is too long."),
        "ENAMETOOLONG" => new IOException("File name too long", 36),
        "ENOSPC" => new IOException("No space left on device", 28),
        "EDQUOT" => new IOException("Disk quota exceeded", 122),
        "EROFS" => new IOException("Read-only file system", 30),
        "EACCES" => new UnauthorizedAccessException("Access to the path '/srv/ftp/home/alice/reports' is denied."),
        "EIO" => new IOException("Input/output error", 5),
        _ => new InvalidOperationException("A bug."),
    };

    private static async Task<SessionHarness> LoggedInAsync(string failure)
    {
        var session = await SessionHarness.StartAsync();
        session.Storage = new FaultyFileSystem(session.Files, Failure(failure));
        await session.LoginAsync();
        Assert.StartsWith("200 ", await session.SendAsync("TYPE I"));
        return session;
    }

    [Theory]
    [InlineData("PathTooLong", "553 File name or path too long for the server's file system.")]
    [InlineData("ENAMETOOLONG", "553 File name or path too long for the server's file system.")]
    [InlineData("ENOSPC", "452 Not enough storage space on the server.")]
    [InlineData("EDQUOT", "452 Not enough storage space on the server.")]
    [InlineData("EROFS", "550 The server's file system is read-only.")]
    [InlineData("EACCES", "550 Permission denied by the server's file system.")]
    public async Task An_expected_condition_gets_its_reply_and_one_log_line_without_a_stack_trace(string failure, string reply)
    {
        await using var session = await LoggedInAsync(failure);
        Assert.StartsWith(reply, await session.SendAsync("MKD reports"));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));

        var line = Assert.Single(session.Logs.Entries, entry => entry.Level >= LogLevel.Warning);
        Assert.Equal((LogLevel.Warning, null), (line.Level, line.Exception));
        Assert.Contains("reports: " + reply[4..], line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/srv/ftp", line.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EIO")]
    [InlineData("Bug")]
    public async Task Anything_else_is_451_and_logged_with_its_exception(string failure)
    {
        await using var session = await LoggedInAsync(failure);
        Assert.StartsWith("451 The server hit an internal error", await session.SendAsync("MKD reports"));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));

        var line = Assert.Single(session.Logs.Entries, entry => entry.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.NotNull(line.Exception?.StackTrace);
    }

    [Fact]
    public async Task A_full_disk_during_an_upload_is_452_after_150_with_one_log_line()
    {
        await using var session = await LoggedInAsync("ENOSPC");
        Assert.StartsWith("452 Not enough storage space on the server.", await session.SendDataAsync("STOR big.bin", new byte[1000]));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
        Assert.False(session.Files.Exists("/big.bin"));

        var line = Assert.Single(session.Logs.Entries, entry => entry.Level >= LogLevel.Warning);
        Assert.Equal((LogLevel.Warning, null), (line.Level, line.Exception));
        Assert.Contains("Not enough storage space on the server.", line.Message, StringComparison.Ordinal);
    }
}
