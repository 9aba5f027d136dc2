using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Gatehouse.Tests.Shared;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Nodes on a PostgreSQL store of their own, stopped (a restart: sessions ended with 57P01, connections refused) and
/// frozen (SIGSTOP: nothing answers) under them: partners who are logged in, or logged in on the node before, notice nothing.
/// </summary>
public sealed class StoreOutageTests(ITestOutputHelper output) : IDisposable
{
    private const string RetryLater = "421 Logins are briefly unavailable; please try again in a minute.";
    private readonly PostgresServer _postgres = new();
    private readonly DirectoryInfo _signals = Directory.CreateTempSubdirectory("gatehouse-outage-");

    [Fact]
    public async Task With_the_store_stopped_known_partners_log_in_wrong_passwords_are_refused_others_retry_and_sessions_keep_transferring()
    {
        var settings = Node(_postgres.CreateDatabase());
        var healthPort = GatehouseServer.FreePort();
        await using var first = await GatehouseServer.StartAsync(new(settings) { ["Cluster__HealthPort"] = Text(healthPort) }, users: ["alice", "bob"]);
        await using var second = await GatehouseServer.StartAsync(settings, users: []);
        Assert.StartsWith("230", (await FtpSteps.RunAsync(first, "alice", [])).Login, StringComparison.Ordinal);

        // A session logged in on the second node before the outage, going on through it and after.
        var held = FtpSteps.RunAsync(second, "alice", [
            "stor held-1.bin 300000", $"wait {Signal("stopped")}",
            "stor held-2.bin 400000", "retr held-2.bin", "retr held-1.bin", $"wait {Signal("started")}",
            "stor held-3.bin 500000", "retr held-3.bin"]);
        await WaitForAsync(Signal("stopped") + ".waiting");

        _postgres.Stop();
        var known = await FtpSteps.RunAsync(first, "alice", ["stor offline.bin 250000", "retr offline.bin"]);
        Assert.StartsWith("230", known.Login, StringComparison.Ordinal);
        Assert.StartsWith("226", known["stor offline.bin 250000"], StringComparison.Ordinal);
        AssertSameAsDisk(first, "offline.bin", 250000, known["retr offline.bin"]);
        Assert.Equal("530 Login incorrect.", (await FtpSteps.RunAsync(first, "alice", [], password: "wrong-guess")).Login);
        Assert.Equal(RetryLater, (await FtpSteps.RunAsync(first, "bob", [])).Login);
        Assert.Equal(RetryLater, (await FtpSteps.RunAsync(first, "nobody", [])).Login);

        await File.WriteAllTextAsync(Signal("stopped"), string.Empty);
        await WaitForAsync(Signal("started") + ".waiting");
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            var health = await http.GetAsync(new Uri($"http://127.0.0.1:{healthPort}/health"));
            var body = await health.Content.ReadAsStringAsync();
            Assert.True(health.IsSuccessStatusCode, body);
            Assert.Matches(@"^serving \S+\naccount store unreachable since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+ s\): ", body);
        }

        _postgres.Start();
        await File.WriteAllTextAsync(Signal("started"), string.Empty);
        var during = await held;
        Assert.StartsWith("226", during["stor held-2.bin 400000"], StringComparison.Ordinal);
        AssertSameAsDisk(first, "held-2.bin", 400000, during["retr held-2.bin"]);
        AssertSameAsDisk(first, "held-1.bin", 300000, during["retr held-1.bin"]);
        Assert.StartsWith("226", during["stor held-3.bin 500000"], StringComparison.Ordinal);
        AssertSameAsDisk(first, "held-3.bin", 500000, during["retr held-3.bin"]);

        // Once the nodes have seen it back (within seconds), a partner the second node has never seen logs in there.
        foreach (var node in new[] { first, second })
        {
            Assert.True(await node.WaitForLogAsync("is back after", TimeSpan.FromSeconds(15)), node.Output);
        }

        Assert.StartsWith("230", (await FtpSteps.RunAsync(second, "bob", [])).Login, StringComparison.Ordinal);
        AssertSaidOnce(first.Output);
        AssertSaidOnce(second.Output);
    }

    [Fact]
    public async Task With_the_store_frozen_an_upload_in_a_logged_in_session_and_a_known_partners_login_take_seconds()
    {
        await using var node = await GatehouseServer.StartAsync(Node(_postgres.CreateDatabase()));
        var held = FtpSteps.RunAsync(node, "alice", ["stor before.bin 100000", $"wait {Signal("frozen")}", "stor frozen.bin 300000", "retr frozen.bin", $"wait {Signal("done")}"]);
        await WaitForAsync(Signal("frozen") + ".waiting");

        _postgres.Freeze();
        try
        {
            // Past the quota ledger's refresh interval (1 s), so the upload is due to read the frozen store first.
            await Task.Delay(1500);
            var clock = Stopwatch.StartNew();
            await File.WriteAllTextAsync(Signal("frozen"), string.Empty);
            await WaitForAsync(Signal("done") + ".waiting");
            var upload = clock.Elapsed;
            clock.Restart();
            var login = await FtpSteps.RunAsync(node, "alice", ["retr before.bin"]);
            var loginElapsed = clock.Elapsed;
            await File.WriteAllTextAsync(Signal("done"), string.Empty);
            var during = await held;
            output.WriteLine($"frozen store: upload and download in a logged-in session {upload.TotalSeconds:0.0} s, a known partner's login and download {loginElapsed.TotalSeconds:0.0} s");

            Assert.StartsWith("226", during["stor frozen.bin 300000"], StringComparison.Ordinal);
            AssertSameAsDisk(node, "frozen.bin", 300000, during["retr frozen.bin"]);
            Assert.True(upload < TimeSpan.FromSeconds(10), $"the upload and download took {upload.TotalSeconds:0.0} s\n{node.Output}");
            Assert.StartsWith("230", login.Login, StringComparison.Ordinal);
            AssertSameAsDisk(node, "before.bin", 100000, login["retr before.bin"]);
            Assert.True(loginElapsed < TimeSpan.FromSeconds(10), $"the login and download took {loginElapsed.TotalSeconds:0.0} s\n{node.Output}");
        }
        finally
        {
            _postgres.Thaw();
        }

        Assert.True(await node.WaitForLogAsync("is back after", TimeSpan.FromSeconds(15)), node.Output);
        Assert.StartsWith("226", (await FtpSteps.RunAsync(node, "alice", ["stor thawed.bin 100000"]))["stor thawed.bin 100000"], StringComparison.Ordinal);
        AssertSaidOnce(node.Output);
    }

    [Fact]
    public async Task Uploads_running_when_the_database_shuts_down_all_succeed()
    {
        await using var node = await GatehouseServer.StartAsync(Node(_postgres.CreateDatabase()));
        var steps = Enumerable.Range(0, 30).Select(i => $"stor /f{i}.bin 200000").ToArray();
        var uploads = FtpSteps.RunAsync(node, "alice", steps);

        // A second of uploads first: the quota ledger re-reads the store between them, on pooled connections.
        var clock = Stopwatch.StartNew();
        while (Directory.GetFiles(node.Home("alice"), "f*.bin").Length < 5 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        await Task.Delay(1000);
        _postgres.Stop();
        var replies = await uploads;
        _postgres.Start();
        foreach (var step in steps)
        {
            Assert.True(replies[step].StartsWith("226", StringComparison.Ordinal), $"{step}: {replies[step]}\n{node.Output}");
        }

        Assert.DoesNotContain("   at ", node.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _postgres.Dispose();
        _signals.Delete(recursive: true);
    }

    private static Dictionary<string, string> Node(string connectionString) => new()
    {
        ["AccountStore__Provider"] = "PostgreSql",
        ["AccountStore__ConnectionString"] = connectionString,
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private string Signal(string name) => Path.Combine(_signals.FullName, name);

    private static async Task WaitForAsync(string file)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(file))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{file} did not appear");
            await Task.Delay(50);
        }
    }

    /// <summary>The download of <paramref name="name"/> (bytes and SHA-256 from ftpsteps) is exactly the file the upload left in alice's home.</summary>
    private static void AssertSameAsDisk(GatehouseServer server, string name, int size, string download)
    {
        var content = File.ReadAllBytes(Path.Combine(server.Home("alice"), name));
        Assert.Equal(size, content.Length);
        Assert.StartsWith("226", download, StringComparison.Ordinal);
        Assert.EndsWith($"bytes={size} sha256={Convert.ToHexStringLower(SHA256.HashData(content))}", download, StringComparison.Ordinal);
    }

    /// <summary>One warning when the store went, one line when it came back, no reminder (under a minute), no error, no stack trace.</summary>
    private static void AssertSaidOnce(string output)
    {
        Assert.Single(EventLines(output, 190));
        Assert.Empty(EventLines(output, 191));
        Assert.Single(EventLines(output, 192));
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static string[] EventLines(string output, int eventId) =>
        output.Split('\n').Where(line => line.Contains($"[{eventId}]", StringComparison.Ordinal)).ToArray();
}
