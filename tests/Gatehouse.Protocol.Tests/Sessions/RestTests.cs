using System.Text;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>
/// REST with every kind of offset, and the RETR, STOR or APPE after it: each gets a defined reply, and the session goes
/// on. /file.txt holds the 10 bytes "0123456789".
/// </summary>
public sealed class RestTests
{
    private const string Content = "0123456789";

    private static async Task<SessionHarness> LoggedInAsync(string type = "I")
    {
        var session = await SessionHarness.StartAsync();
        await session.LoginAsync();
        Assert.StartsWith("200 ", await session.SendAsync($"TYPE {type}"));
        session.Files.AddFile("/file.txt", Content);
        return session;
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1.5")]
    [InlineData("0x10")]
    [InlineData("")]
    public async Task A_restart_offset_that_is_not_a_whole_number_is_501(string argument)
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("501 Syntax: REST <byte offset>", await session.SendAsync($"REST {argument}"));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999999999999999999999")]
    public async Task A_restart_offset_with_more_digits_than_fit_is_501_saying_the_largest(string argument)
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("501 Restart offset too large; the largest is 9223372036854775807.", await session.SendAsync($"REST {argument}"));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
    }

    [Fact]
    public async Task A_refused_rest_clears_the_one_before_so_the_next_retr_sends_the_whole_file()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("350 ", await session.SendAsync("REST 4"));
        Assert.StartsWith("501 ", await session.SendAsync("REST four"));
        var (data, reply) = await session.ReceiveAsync("RETR file.txt");
        Assert.Equal((Content, "226"), (Encoding.ASCII.GetString(data), reply[..3]));
    }

    [Fact]
    public async Task Retr_from_the_size_sends_nothing_and_completes()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("350 Restarting at 10.", await session.SendAsync("REST 10"));
        var (data, reply) = await session.ReceiveAsync("RETR file.txt");
        Assert.Empty(data);
        Assert.StartsWith("226 ", reply);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(long.MaxValue)]
    public async Task Retr_from_beyond_the_end_is_554_and_the_session_goes_on_without_the_offset(long offset)
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith($"350 Restarting at {offset}.", await session.SendAsync($"REST {offset}"));
        var (reply, data) = await session.OpenDataAsync("RETR file.txt");
        Assert.Null(data);
        Assert.Equal($"554 Invalid REST parameter. Restart offset {offset} is beyond the end of /file.txt (10 bytes). SIZE tells the size to restart from.\r\n", reply);

        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
        Assert.Equal(Content, Encoding.ASCII.GetString((await session.ReceiveAsync("RETR file.txt")).Data));
        Assert.Equal(Content.Length, Assert.Single(session.Finished).Bytes);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(long.MaxValue)]
    public async Task Stor_from_beyond_the_end_is_554_and_leaves_the_file_as_it_was(long offset)
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("350 ", await session.SendAsync($"REST {offset}"));
        var (reply, data) = await session.OpenDataAsync("STOR file.txt");
        Assert.Null(data);
        Assert.StartsWith($"554 Invalid REST parameter. Restart offset {offset} is beyond the end of /file.txt (10 bytes).", reply);
        Assert.Equal(Content, session.Files.ReadText("/file.txt"));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
    }

    [Fact]
    public async Task Stor_from_the_size_appends_and_from_inside_replaces_the_rest()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("350 ", await session.SendAsync("REST 10"));
        Assert.StartsWith("226 ", await session.SendDataAsync("STOR file.txt", "ab"u8.ToArray()));
        Assert.Equal(Content + "ab", session.Files.ReadText("/file.txt"));

        Assert.StartsWith("350 ", await session.SendAsync("REST 3"));
        Assert.StartsWith("226 ", await session.SendDataAsync("STOR file.txt", "xyz"u8.ToArray()));
        Assert.Equal("012xyz", session.Files.ReadText("/file.txt"));
    }

    [Fact]
    public async Task Stor_with_a_restart_offset_for_a_missing_file_is_550()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("350 ", await session.SendAsync("REST 5"));
        Assert.StartsWith("550 /new.txt does not exist, so there is nothing to resume", (await session.OpenDataAsync("STOR new.txt")).Reply);
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
    }

    [Fact]
    public async Task Appe_appends_at_the_end_whatever_rest_said()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("350 ", await session.SendAsync($"REST {long.MaxValue}"));
        Assert.StartsWith("226 ", await session.SendDataAsync("APPE file.txt", "ab"u8.ToArray()));
        Assert.Equal(Content + "ab", session.Files.ReadText("/file.txt"));
        Assert.Equal(Content + "ab", Encoding.ASCII.GetString((await session.ReceiveAsync("RETR file.txt")).Data));
    }

    [Fact]
    public async Task In_ascii_mode_retr_and_stor_refuse_a_restart_with_504_and_the_file_stays_as_it_was()
    {
        await using var session = await LoggedInAsync(type: "A");
        Assert.StartsWith("350 Restarting at 3. Send RETR or STOR to continue. RETR and STOR refuse a restart in ASCII mode: send TYPE I first.", await session.SendAsync("REST 3"));
        Assert.StartsWith("504 Restarting at offset 3 is not supported in ASCII mode (TYPE A); send TYPE I", (await session.OpenDataAsync("RETR file.txt")).Reply);
        Assert.StartsWith("350 ", await session.SendAsync("REST 3"));
        Assert.StartsWith("504 ", (await session.OpenDataAsync("STOR file.txt")).Reply);
        Assert.Equal(Content, session.Files.ReadText("/file.txt"));
        Assert.Empty(session.Finished);

        Assert.StartsWith("350 Restarting at 0. Send RETR or STOR to continue.\r\n", await session.SendAsync("REST 0"));
        Assert.Equal(Content, Encoding.ASCII.GetString((await session.ReceiveAsync("RETR file.txt")).Data));
    }

    [Fact]
    public async Task A_restart_asked_in_ascii_mode_works_once_the_client_switches_to_binary()
    {
        await using var session = await LoggedInAsync(type: "A");
        Assert.StartsWith("350 ", await session.SendAsync("REST 6"));
        Assert.StartsWith("200 ", await session.SendAsync("TYPE I"));
        Assert.Equal("6789", Encoding.ASCII.GetString((await session.ReceiveAsync("RETR file.txt")).Data));
    }
}
