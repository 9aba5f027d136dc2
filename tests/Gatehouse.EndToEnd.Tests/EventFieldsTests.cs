using System.Security.Cryptography;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The events a session does not cause by a file command (ban, quota-exceeded) and the fields file events carry
/// (realPath, targetRealPath, sha256), as a webhook receiver on loopback gets them.
/// </summary>
public sealed class EventFieldsTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("gatehouse-event-fields-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task An_upload_refused_or_cut_for_quota_and_a_ban_each_reach_the_webhook()
    {
        await using var receiver = new WebhookReceiver();
        var settings = EventRulesTests.Settings(receiver);
        // Two failed logins (2 points each) earn a ban; loopback is not exempt, so the test bans an address of its own.
        settings["Bans__Threshold"] = "4";
        await using var server = await GatehouseServer.StartAsync(settings, prepare: async prepared =>
        {
            await GatehouseServer.CliAsync(prepared, "rule", "add", "quota", "--on", "quota-exceeded", "--webhook", receiver.Url("/quota-exceeded"));
            await GatehouseServer.CliAsync(prepared, "rule", "add", "ban", "--on", "ban", "--webhook", receiver.Url("/ban"));
        });
        await server.CliAsync("user", "set", "alice", "--quota-bytes", "100K", "--quota-files", "2");

        var steps = await FtpSteps.RunAsync(server, "alice", ["stor /a.bin 60000", "stor /b.bin 60000", "stor /c.bin 10", "stor /d.bin 10"], tls: false);
        Assert.StartsWith("552 Quota exceeded: this upload would take your home past its limit", steps["stor /b.bin 60000"], StringComparison.Ordinal);
        Assert.StartsWith("552 Quota exceeded: your home already holds 2 of its 2 allowed files", steps["stor /d.bin 10"], StringComparison.Ordinal);
        var first = await FtpSteps.RunAsync(server, "alice", [], tls: false, source: "127.0.5.9", password: "wrong");
        var second = await FtpSteps.RunAsync(server, "alice", [], tls: false, source: "127.0.5.9", password: "wrong");
        Assert.StartsWith("530", first.Login, StringComparison.Ordinal);
        Assert.StartsWith("421", second.Login, StringComparison.Ordinal);

        Assert.True(await receiver.WaitForAsync(requests => requests.Count >= 3, Bound), Clients.Tail(server.Output));
        var events = receiver.Requests.Select(request => (request.RequestLine, Event: request.Json.GetProperty("event"))).ToList();
        var quota = events.Where(e => e.RequestLine.StartsWith("POST /quota-exceeded ", StringComparison.Ordinal)).ToDictionary(e => e.Event.GetProperty("path").GetString()!, e => e.Event);
        Assert.Equal(["/b.bin", "/d.bin"], quota.Keys.Order());
        Assert.All(quota.Values, e => Assert.Equal(("quota-exceeded", "alice", "127.0.0.1"), (e.GetProperty("kind").GetString(), e.GetProperty("user").GetString(), e.GetProperty("client").GetString())));
        Assert.StartsWith("Quota exceeded: this upload would take your home past its limit of 100 KiB", quota["/b.bin"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.InRange(quota["/b.bin"].GetProperty("size").GetInt64(), 1, 60000);
        Assert.StartsWith("Quota exceeded: your home already holds 2 of its 2 allowed files", quota["/d.bin"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        var ban = Assert.Single(events, e => e.RequestLine.StartsWith("POST /ban ", StringComparison.Ordinal)).Event;
        Assert.Equal(("ban", "127.0.5.9"), (ban.GetProperty("kind").GetString(), ban.GetProperty("client").GetString()));
        Assert.Contains("user 'alice'", ban.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(ban.GetProperty("until").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_rule_s_copy_refused_for_quota_fires_quota_exceeded_for_the_copy()
    {
        await using var receiver = new WebhookReceiver();
        var settings = EventRulesTests.Settings(receiver);
        settings["Events__MaxAttempts"] = "1";
        await using var server = await GatehouseServer.StartAsync(settings, prepare: async prepared =>
        {
            await GatehouseServer.CliAsync(prepared, "rule", "add", "archive", "--on", "upload", "--path", "/in/*", "--copy-to", "/archive");
            await GatehouseServer.CliAsync(prepared, "rule", "add", "quota", "--on", "quota-exceeded", "--webhook", receiver.Url("/quota-exceeded"));
        });
        await server.CliAsync("user", "set", "alice", "--quota-files", "3");

        // a.bin, its copy and b.bin make three files, in whichever order the copy runs: b.bin's copy would be a fourth.
        var steps = await FtpSteps.RunAsync(server, "alice", ["cmd MKD /in", "cmd MKD /archive", "stor /in/a.bin 10", "stor /in/b.bin 10"], tls: false);
        Assert.StartsWith("226", steps["stor /in/b.bin 10"], StringComparison.Ordinal);

        Assert.True(await receiver.WaitForAsync(requests => requests.Count >= 1, Bound), Clients.Tail(server.Output));
        var refused = Assert.Single(receiver.Requests).Json.GetProperty("event");
        Assert.Equal(("quota-exceeded", "alice", "/archive/b.bin", 10L), (refused.GetProperty("kind").GetString(), refused.GetProperty("user").GetString(), refused.GetProperty("path").GetString(), refused.GetProperty("size").GetInt64()));
        Assert.StartsWith("Quota exceeded: your home already holds 3 of its 3 allowed files", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(server.Home("alice"), "archive", "a.bin")));
        Assert.False(File.Exists(Path.Combine(server.Home("alice"), "archive", "b.bin")));
    }

    [Fact]
    public async Task File_events_carry_their_real_paths_and_a_hashed_upload_its_sha256()
    {
        string[] kinds = ["upload", "download", "mkdir", "rename", "delete", "rmdir"];
        var local = Path.Combine(_work.FullName, "order.xml");
        await File.WriteAllBytesAsync(local, RandomNumberGenerator.GetBytes(300_000));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(local)));
        await using var receiver = new WebhookReceiver();
        var settings = EventRulesTests.Settings(receiver);
        settings["Events__HashUploads"] = "true";
        await using var server = await GatehouseServer.StartAsync(settings, prepare: async prepared =>
        {
            foreach (var kind in kinds)
            {
                await GatehouseServer.CliAsync(prepared, "rule", "add", $"on-{kind}", "--on", kind, "--webhook", receiver.Url("/" + kind));
            }
        });

        await FtpSteps.RunAsync(server, "alice",
            [$"put /order.xml {local}", "appe /order.xml 10", "retr /order.xml", "cmd MKD /d", "cmd RNFR /order.xml", "cmd RNTO /d/done.xml", "cmd DELE /d/done.xml", "cmd RMD /d"], tls: false);

        Assert.True(await receiver.WaitForAsync(requests => requests.Count >= kinds.Length + 1, Bound), Clients.Tail(server.Output));
        var events = receiver.Requests.Select(request => request.Json.GetProperty("event")).ToList();
        var home = Path.GetFullPath(server.Home("alice"));
        var uploads = events.Where(e => e.GetProperty("kind").GetString() == "upload").ToList();
        Assert.Equal(2, uploads.Count);
        Assert.Equal(sha256, uploads.Single(e => e.GetProperty("size").GetInt64() == 300_000).GetProperty("sha256").GetString());
        Assert.False(uploads.Single(e => e.GetProperty("size").GetInt64() == 10).TryGetProperty("sha256", out _), "an APPE continuing earlier data has no hash of the whole file");
        string RealPath(string kind, string field = "realPath") => events.First(e => e.GetProperty("kind").GetString() == kind).GetProperty(field).GetString()!;
        Assert.All(uploads, e => Assert.Equal(Path.Combine(home, "order.xml"), e.GetProperty("realPath").GetString()));
        Assert.Equal(Path.Combine(home, "order.xml"), RealPath("download"));
        Assert.Equal(Path.Combine(home, "d"), RealPath("mkdir"));
        Assert.Equal(Path.Combine(home, "order.xml"), RealPath("rename"));
        Assert.Equal(Path.Combine(home, "d", "done.xml"), RealPath("rename", "targetRealPath"));
        Assert.Equal(Path.Combine(home, "d", "done.xml"), RealPath("delete"));
        Assert.Equal(Path.Combine(home, "d"), RealPath("rmdir"));
        Assert.False(events.First(e => e.GetProperty("kind").GetString() == "download").TryGetProperty("sha256", out _));
    }
}
