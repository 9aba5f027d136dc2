using System.Globalization;
using System.Security.Cryptography;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Uploads that resume (setting resume-uploads): an upload cut by its client or the network is kept hidden, and
/// Python's ftplib (REST + STOR, APPE), lftp (put -c) and curl (-C -) continue it to a byte-exact file; nothing of it
/// is visible or downloadable before, it counts against the quota, it survives a restart, and a user with the setting
/// off gets the old behaviour. TLS on control and data throughout, as partners use the server.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private const int Size = 3 << 20;

    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-resume-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static Task<GatehouseServer> StartAsync(Dictionary<string, string>? settings = null) =>
        GatehouseServer.StartAsync(settings, users: ["alice", "bob"], prepare: async all =>
        {
            await GatehouseServer.CliAsync(all, "user", "set", "bob", "--resume-uploads", "off");
        });

    /// <summary>The file every action of resume.py agrees on for a seed.</summary>
    private static byte[] Data(int seed)
    {
        var (code, output) = Clients.RunAsync(Clients.Python, ["-c", $"import random,sys; sys.stdout.buffer.write(random.Random({seed}).randbytes({Size}).hex().encode())"]).GetAwaiter().GetResult();
        Assert.Equal(0, code);
        return Convert.FromHexString(output.Trim());
    }

    private static async Task<Dictionary<string, string>> ResumePyAsync(GatehouseServer server, string user, params string[] actions)
    {
        string[] arguments = [Path.Combine(AppContext.BaseDirectory, "clients", "resume.py"), "--port", server.ExplicitPort.ToString(CultureInfo.InvariantCulture),
            "--user", user, "--password", GatehouseServer.Password, "--tls", "--cafile", server.CaFile, .. actions];
        var (code, output) = await Clients.RunAsync(Clients.Python, arguments, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"resume.py failed (exit {code}):\n{output}\n--- server log ---\n{Clients.Tail(server.Output)}");
        return output.Split('\n').Where(line => line.Contains(" => ", StringComparison.Ordinal))
            .ToDictionary(line => line[..line.IndexOf(" => ", StringComparison.Ordinal)], line => line[(line.IndexOf(" => ", StringComparison.Ordinal) + 4)..], StringComparer.Ordinal);
    }

    private static string[] HiddenFiles(string home) =>
        [.. Directory.GetFiles(home, ".gatehouse-upload-*").Select(Path.GetFileName)!];

    /// <summary>What a client sees of <paramref name="name"/> while only a partial exists: nothing, except SIZE.</summary>
    private static void AssertInvisible(string look, string name, long partialLength)
    {
        Assert.Contains("nlst=[] mlsd=[] list=[", look, StringComparison.Ordinal);
        Assert.DoesNotContain(name + "'", look.Split('|')[0], StringComparison.Ordinal);
        Assert.DoesNotContain(".gatehouse", look, StringComparison.Ordinal);
        Assert.Contains($"| size=213 {partialLength} |", look, StringComparison.Ordinal);
        Assert.Contains("| mlst=550", look, StringComparison.Ordinal);
        Assert.Contains("retr=550", look, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("close", "rest")]
    [InlineData("rst", "appe")]
    [InlineData("abor", "rest")]
    [InlineData("control", "appe")]
    public async Task Ftplib_resumes_an_upload_cut_in_any_way_to_a_byte_exact_file_hidden_until_complete(string how, string verb)
    {
        await using var server = await StartAsync();
        var home = server.Home("alice");
        var cut = $"cut /in/order.bin {Size} 7 1000000 {how}";
        Directory.CreateDirectory(Path.Combine(home, "in"));

        var results = await ResumePyAsync(server, "alice", cut);
        // A dropped control connection gets no reply: the partial is final once the server has logged the cut.
        Assert.True(await server.WaitForLogAsync("/in/order.bin was cut by the client or the network", TimeSpan.FromSeconds(5)), server.Output);
        var look = (await ResumePyAsync(server, "alice", "look /in/order.bin"))["look /in/order.bin"];

        var partial = Assert.Single(HiddenFiles(Path.Combine(home, "in")));
        var kept = new FileInfo(Path.Combine(home, "in", partial)).Length;
        Assert.True(kept is > 0 and <= 1_000_000, $"{kept} bytes kept after {how}: {results[cut]}");
        AssertInvisible(look, "order.bin", kept);
        if (how is "close" or "rst")
        {
            Assert.StartsWith($"426 Transfer interrupted; the {kept} bytes of /in/order.bin received so far are kept, hidden, for you to resume: TYPE I, then REST {kept} and STOR, or APPE", results[cut], StringComparison.Ordinal);
        }

        // Kept across a restart: the sweep at start removes an earlier run's temporary files, never a partial.
        await server.RestartAsync();
        var resumed = await ResumePyAsync(server, "alice", $"resume /in/order.bin {Size} 7 {verb}");

        Assert.StartsWith($"size={kept} 226", resumed[$"resume /in/order.bin {Size} 7 {verb}"], StringComparison.Ordinal);
        Assert.Equal(SHA256.HashData(Data(7)), SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(home, "in", "order.bin"))));
        Assert.Empty(HiddenFiles(Path.Combine(home, "in")));
    }

    [Fact]
    public async Task A_wrong_restart_offset_is_refused_and_loses_nothing_and_another_user_never_sees_the_partial()
    {
        await using var server = await StartAsync(new() { ["Storage__SyncUploads"] = "false" });
        await server.CliAsync("folder", "add", "drop", "--path", Path.Combine(_work, "drop"));
        await server.CliAsync("folder", "mount", "drop", "--user", "alice", "--at", "/drop");
        await server.CliAsync("folder", "mount", "drop", "--user", "bob", "--at", "/drop");
        await ResumePyAsync(server, "alice", $"cut /drop/shared.bin {Size} 3 500000 close");

        var kept = long.Parse((await FtpSteps.RunAsync(server, "alice", ["cmd SIZE /drop/shared.bin"]))["cmd SIZE /drop/shared.bin"].Split(' ')[1], CultureInfo.InvariantCulture);
        var steps = await FtpSteps.RunAsync(server, "alice", ["cmd TYPE I", "cmd REST 400000", "stor /drop/shared.bin 10", "cmd SIZE /drop/shared.bin"]);
        var bob = await ResumePyAsync(server, "bob", "look /drop/shared.bin");

        var refusal = steps["stor /drop/shared.bin 10"];
        Assert.True(refusal.StartsWith($"554 Invalid REST parameter. Restart offset 400000 does not match the {kept} bytes kept of your interrupted upload to this name; send REST {kept}", StringComparison.Ordinal), refusal);
        Assert.Equal($"213 {kept}", steps["cmd SIZE /drop/shared.bin"]);
        Assert.Contains("| size=550", bob["look /drop/shared.bin"], StringComparison.Ordinal);
        Assert.Contains("retr=550", bob["look /drop/shared.bin"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_resume_uploads_off_a_cut_upload_is_discarded_as_before()
    {
        await using var server = await StartAsync();

        var results = await ResumePyAsync(server, "bob", $"cut /order.bin {Size} 5 1000000 close", "look /order.bin");

        Assert.StartsWith("426", results[$"cut /order.bin {Size} 5 1000000 close"], StringComparison.Ordinal);
        Assert.Contains("| size=550", results["look /order.bin"], StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(server.Home("bob")));
    }

    [Fact]
    public async Task A_partial_counts_against_the_quota_until_it_is_resumed()
    {
        await using var server = await StartAsync();
        await server.CliAsync("user", "set", "alice", "--quota-bytes", "3500000");
        await ResumePyAsync(server, "alice", $"cut /order.bin {Size} 9 3000000 close");

        var refused = await FtpSteps.RunAsync(server, "alice", ["stor /other.bin 1000000"]);
        var resumed = await ResumePyAsync(server, "alice", $"resume /order.bin {Size} 9 rest");
        var after = await FtpSteps.RunAsync(server, "alice", ["stor /other.bin 300000"]);

        Assert.StartsWith("552 Quota exceeded", refused["stor /other.bin 1000000"], StringComparison.Ordinal);
        Assert.Matches("^size=(2[5-9]|30)[0-9]{5} 226", resumed[$"resume /order.bin {Size} 9 rest"]);
        Assert.StartsWith("226", after["stor /other.bin 300000"], StringComparison.Ordinal);
        Assert.Equal(Data(9), await File.ReadAllBytesAsync(Path.Combine(server.Home("alice"), "order.bin")));
    }

    [Fact]
    public async Task Lftp_put_c_finishes_an_upload_whose_client_was_killed()
    {
        await using var server = await StartAsync();
        var source = Path.Combine(_work, "order.bin");
        await File.WriteAllBytesAsync(source, Data(11));
        var home = server.Home("alice");

        // A slow upload (500 kB/s), killed like a laptop closed mid-transfer (the time limit kills the process).
        var (killed, _) = await Clients.RunAsync("lftp", LftpArguments(server, "set net:limit-rate 500000; put order.bin"), TimeSpan.FromSeconds(3), _work);
        Assert.Equal(-1, killed);

        Assert.True(await server.WaitForLogAsync("/order.bin was cut by the client or the network", TimeSpan.FromSeconds(10)), Clients.Tail(server.Output));
        Assert.False(File.Exists(Path.Combine(home, "order.bin")));
        var (code, output) = await Clients.RunAsync("lftp", LftpArguments(server, "debug 9; put -c order.bin"), TimeSpan.FromMinutes(2), _work);

        Assert.True(code == 0, output);
        Assert.Equal(Data(11), await File.ReadAllBytesAsync(Path.Combine(home, "order.bin")));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, "(?m)^---> REST [1-9][0-9]*\\r?$"), output);
        Assert.Empty(HiddenFiles(home));
    }

    [Fact]
    public async Task A_server_killed_while_an_upload_continues_a_partial_gives_the_partial_back_after_its_restart()
    {
        await using var server = await StartAsync();
        var source = Path.Combine(_work, "order.bin");
        await File.WriteAllBytesAsync(source, Data(17));
        await ResumePyAsync(server, "alice", $"cut /order.bin {Size} 17 1000000 close");
        var kept = long.Parse((await FtpSteps.RunAsync(server, "alice", ["cmd SIZE /order.bin"]))["cmd SIZE /order.bin"].Split(' ')[1], CultureInfo.InvariantCulture);

        // lftp continues it slowly; the server dies (SIGKILL) in the middle.
        var resuming = Clients.RunAsync("lftp", LftpArguments(server, "set net:limit-rate 300000; put -c order.bin"), TimeSpan.FromSeconds(8), _work);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await server.KillAsync();
        await resuming;
        await server.RestartAsync();

        Assert.True(await server.WaitForLogAsync($"the {kept} bytes kept before it are put back", TimeSpan.FromSeconds(20)), Clients.Tail(server.Output));
        Assert.Equal($"213 {kept}", (await FtpSteps.RunAsync(server, "alice", ["cmd SIZE /order.bin"]))["cmd SIZE /order.bin"]);
        var (code, output) = await Clients.RunAsync("lftp", LftpArguments(server, "put -c order.bin"), TimeSpan.FromMinutes(2), _work);
        Assert.True(code == 0, output);
        Assert.Equal(Data(17), await File.ReadAllBytesAsync(Path.Combine(server.Home("alice"), "order.bin")));
        Assert.Empty(HiddenFiles(server.Home("alice")));
    }

    [Fact]
    public async Task Curl_C_minus_finishes_a_cut_upload()
    {
        await using var server = await StartAsync();
        var source = Path.Combine(_work, "order.bin");
        await File.WriteAllBytesAsync(source, Data(13));
        await ResumePyAsync(server, "alice", $"cut /order.bin {Size} 13 1500000 rst");

        var output = await Clients.CurlAsync(server, "--verbose", "--ssl-reqd", "-T", source, "-C", "-", $"ftp://127.0.0.1:{server.ExplicitPort}/order.bin");

        Assert.Contains("> SIZE order.bin", output, StringComparison.Ordinal);
        Assert.Contains("> APPE order.bin", output, StringComparison.Ordinal);
        Assert.Equal(Data(13), await File.ReadAllBytesAsync(Path.Combine(server.Home("alice"), "order.bin")));
        Assert.Empty(HiddenFiles(server.Home("alice")));
    }

    private static string[] LftpArguments(GatehouseServer server, string commands)
    {
        var settings = string.Join("; ", $"set ssl:ca-file {server.CaFile}", "set ftp:ssl-force true", "set ftp:ssl-protect-data true",
            "set net:max-retries 1", "set net:timeout 20", "set cmd:fail-exit true");
        return ["-u", $"alice,{GatehouseServer.Password}", "-p", server.ExplicitPort.ToString(CultureInfo.InvariantCulture), "-e", $"{settings}; {commands}; bye", "127.0.0.1"];
    }
}
