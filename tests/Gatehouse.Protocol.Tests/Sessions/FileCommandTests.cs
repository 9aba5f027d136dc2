using System.Text;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>Navigation and file verbs through a real session, on the in-memory file system.</summary>
public sealed class FileCommandTests
{
    private static async Task<SessionHarness> LoggedInAsync()
    {
        var session = await SessionHarness.StartAsync();
        await session.LoginAsync();
        return session;
    }

    [Fact]
    public async Task Pwd_cwd_and_cdup_move_inside_the_home_and_refuse_to_go_above_it()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("257 \"/\"", await session.SendAsync("PWD"));
        Assert.StartsWith("257 ", await session.SendAsync("MKD reports"));
        Assert.StartsWith("250 ", await session.SendAsync("CWD reports"));
        Assert.StartsWith("257 \"/reports\"", await session.SendAsync("XPWD"));
        Assert.StartsWith("250 ", await session.SendAsync("CDUP"));
        Assert.StartsWith("550 Path leads outside your home directory", await session.SendAsync("CWD ../../.."));
        Assert.StartsWith("257 \"/\"", await session.SendAsync("PWD"));
        Assert.StartsWith("550 ", await session.SendAsync("CWD missing"));
    }

    [Fact]
    public async Task Mkd_rmd_and_dele_create_and_remove_with_the_file_systems_refusals()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("257 \"/in\"", await session.SendAsync("MKD in"));
        Assert.StartsWith("550 ", await session.SendAsync("MKD in"));
        session.Files.AddFile("/in/order.csv", Encoding.UTF8.GetBytes("1,2,3"));
        Assert.StartsWith("550 ", await session.SendAsync("RMD in"));
        Assert.StartsWith("250 ", await session.SendAsync("DELE in/order.csv"));
        Assert.False(session.Files.Exists("/in/order.csv"));
        Assert.StartsWith("550 ", await session.SendAsync("DELE in/order.csv"));
        Assert.StartsWith("250 ", await session.SendAsync("XRMD in"));
        Assert.StartsWith("501 ", await session.SendAsync("MKD"));
    }

    [Fact]
    public async Task Rnfr_then_rnto_renames_and_rnto_alone_is_refused()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/a.txt", [1, 2, 3]);
        Assert.StartsWith("503 Send RNFR immediately before RNTO.", await session.SendAsync("RNTO b.txt"));
        Assert.StartsWith("350 ", await session.SendAsync("RNFR a.txt"));
        Assert.StartsWith("250 Renamed /a.txt to /b.txt.", await session.SendAsync("RNTO b.txt"));
        Assert.Equal([1, 2, 3], session.Files.ReadFile("/b.txt"));
        Assert.StartsWith("550 ", await session.SendAsync("RNFR missing.txt"));

        Assert.StartsWith("350 ", await session.SendAsync("RNFR b.txt"));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
        Assert.StartsWith("503 ", await session.SendAsync("RNTO c.txt"));
    }

    [Fact]
    public async Task A_name_of_more_than_255_bytes_is_refused_as_too_long_by_every_verb_and_the_session_goes_on()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/a.txt", [1]);
        // 200 characters, within the 255 a name may have, but 400 bytes in UTF-8: more than a Linux file system takes.
        var name = new string('é', 200);
        const string TooLong = " File name too long: 400 bytes in UTF-8, the limit is 255.\r\n";
        Assert.Equal("553" + TooLong, await session.SendAsync($"MKD {name}"));
        Assert.Equal("550" + TooLong, await session.SendAsync($"CWD {name}"));
        Assert.Equal("553" + TooLong, (await session.OpenDataAsync($"STOR {name}")).Reply);
        Assert.StartsWith("350 ", await session.SendAsync("RNFR a.txt"));
        Assert.Equal("553" + TooLong, await session.SendAsync($"RNTO {name}"));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
        Assert.StartsWith("257 ", await session.SendAsync($"MKD {new string('é', 127)}"));
    }

    [Fact]
    public async Task Size_mdtm_mfmt_mlst_and_hash_describe_a_file()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/data.bin", Encoding.ASCII.GetBytes("hello"));
        Assert.StartsWith("200 ", await session.SendAsync("TYPE I"));
        Assert.Equal("213 5\r\n", await session.SendAsync("SIZE data.bin"));
        Assert.StartsWith("550 ", await session.SendAsync("SIZE missing.bin"));
        Assert.StartsWith("213 20261201120000", await session.SendAsync("MDTM data.bin"));
        Assert.StartsWith("213 Modify=20250102030405;", await session.SendAsync("MFMT 20250102030405 data.bin"));
        Assert.StartsWith("213 20250102030405", await session.SendAsync("MDTM data.bin"));
        var mlst = await session.SendAsync("MLST data.bin");
        Assert.StartsWith("250-", mlst);
        Assert.Contains("size=5;", mlst, StringComparison.Ordinal);
        Assert.Contains("type=file;", mlst, StringComparison.Ordinal);
        // SHA-256 of "hello".
        Assert.Contains("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", await session.SendAsync("HASH data.bin"), StringComparison.Ordinal);
    }
}
