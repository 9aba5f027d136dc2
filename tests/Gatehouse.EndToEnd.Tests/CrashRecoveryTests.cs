using System.Globalization;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The server killed with SIGKILL in the middle of uploads and started again on the same data directory: what the
/// crash left behind (temporary upload files, usage changes not yet saved) must not outlive the restart.
/// </summary>
public sealed class CrashRecoveryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_kill_during_an_upload_leaves_no_temporary_file_after_restart_and_the_previous_file_intact()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" });
        var home = server.Home("alice");
        var url = $"ftp://127.0.0.1:{server.ExplicitPort}/report.bin";
        var previous = Clients.RandomFile(server.DataDirectory, "previous.bin", 300_000);
        await Clients.CurlAsync(server, "-T", previous, url);

        // Slow enough (1 MiB/s for 20 MB) to be killed in the middle.
        var replacement = Clients.RandomFile(server.DataDirectory, "replacement.bin", 20_000_000);
        var upload = Clients.RunAsync("curl", ["--silent", "--user", $"alice:{GatehouseServer.Password}", "--limit-rate", "1M", "-T", replacement, url], Bound);
        Assert.True(await WaitUntilAsync(() => TemporaryFiles(home).Any(file => file.Length > 500_000)), "the upload never reached the disk");
        await server.KillAsync();
        await upload;
        Assert.NotEmpty(TemporaryFiles(home));

        await server.RestartAsync();

        Assert.True(await server.WaitForLogAsync("Temporary upload sweep", Bound), Clients.Tail(server.Output));
        Assert.Empty(TemporaryFiles(home));
        Assert.Equal(await File.ReadAllBytesAsync(previous), await File.ReadAllBytesAsync(Path.Combine(home, "report.bin")));
        Assert.Contains("Removed abandoned temporary upload", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_kill_during_a_burst_of_small_uploads_the_usage_equals_what_the_home_holds()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" });
        var home = server.Home("alice");
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "clients", "ftpsteps.py"),
            "--port", server.ExplicitPort.ToString(CultureInfo.InvariantCulture), "--user", "alice", "--password", GatehouseServer.Password,
            .. Enumerable.Range(0, 200).Select(i => $"stor /f{i:D3}.bin {300 + (i * 7)}"),
        ];
        var burst = Clients.RunAsync(Clients.Python, arguments, Bound);
        Assert.True(await WaitUntilAsync(() => Directory.GetFiles(home, "f*").Length >= 40), "the burst never got going");
        await server.KillAsync();
        var (_, output) = await burst;

        await server.RestartAsync();

        var files = new DirectoryInfo(home).GetFiles("*", SearchOption.AllDirectories)
            .Where(file => !file.Name.StartsWith(".gatehouse-upload-", StringComparison.Ordinal)).ToList();
        foreach (var acknowledged in output.Split('\n').Where(line => line.Contains(" => 226", StringComparison.Ordinal)))
        {
            Assert.Contains(files, file => acknowledged.StartsWith($"stor /{file.Name} ", StringComparison.Ordinal));
        }

        var (code, shown) = await server.RunCliAsync(null, "user", "show", "alice");
        Assert.True(code == 0, shown);
        var onDisk = $" in {files.Count} files ({files.Sum(file => file.Length)} bytes)";
        Assert.True(shown.Contains(onDisk, StringComparison.Ordinal), $"the home holds{onDisk}, but:\n{shown}");
        Assert.Contains("Usage of user:alice counted again from", server.Output, StringComparison.Ordinal);
    }

    private static IEnumerable<FileInfo> TemporaryFiles(string home) =>
        new DirectoryInfo(home).GetFiles(".gatehouse-upload-*", SearchOption.AllDirectories);

    private static async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }
}
