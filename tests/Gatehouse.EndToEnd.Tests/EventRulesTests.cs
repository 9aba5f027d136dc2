using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Event rules against the real server: a webhook receiver on loopback (allowed through Events:WebhookAllowedHosts),
/// shell scripts as commands (named in Events:Commands), file actions, pre-upload checks, retries and a SIGKILL.
/// </summary>
public sealed class EventRulesTests : IDisposable
{
    private const string Secret = "whsec_e2e";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("gatehouse-events-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task An_upload_matching_the_rule_runs_a_signed_webhook_a_command_and_a_move_in_that_order()
    {
        var recorded = Path.Combine(_work.FullName, "env.txt");
        var script = Script("record.sh", $"#!/bin/sh\n[ -f \"$1/../archive/a.xml\" ] && echo moved-too-early > \"{recorded}\" && exit 1\nenv | grep ^GATEHOUSE_EVENT_ | sort > \"$2\"\n");
        await using var receiver = new WebhookReceiver();
        await using var server = await StartAsync(receiver, [script], async settings =>
        {
            var home = Path.Combine(settings["DataDirectory"], "home", "alice");
            Directory.CreateDirectory(Path.Combine(home, "orders"));
            Directory.CreateDirectory(Path.Combine(home, "archive"));
            await GatehouseServer.CliAsync(settings, "rule", "add", "orders", "--on", "upload", "--path", "/orders/*.xml",
                "--webhook", receiver.Url(), "--secret", Secret, "--command", script, "--arg", Path.Combine(home, "orders"), "--arg", recorded, "--move-to", "/archive");
        });

        var output = await StepsAsync(server, "stor /orders/a.xml 1234", "stor /orders/b.txt 10", "stor /a.xml 10");

        Assert.Equal(3, CountOf(output, "=> 226"));
        Assert.True(await WaitForDeliveredAsync(server, 1), Clients.Tail(server.Output));
        var request = Assert.Single(receiver.Requests);
        Assert.StartsWith("POST /hook ", request.RequestLine, StringComparison.Ordinal);
        AssertSigned(request);
        var happened = request.Json.GetProperty("event");
        Assert.Equal(("upload", "alice", "/orders/a.xml", 1234), (happened.GetProperty("kind").GetString(), happened.GetProperty("user").GetString(), happened.GetProperty("path").GetString(), happened.GetProperty("size").GetInt32()));
        Assert.Equal("127.0.0.1", happened.GetProperty("client").GetString());
        var environment = await File.ReadAllTextAsync(recorded);
        Assert.Contains("GATEHOUSE_EVENT_PATH=/orders/a.xml\n", environment, StringComparison.Ordinal);
        Assert.Contains("GATEHOUSE_EVENT_SIZE=1234\n", environment, StringComparison.Ordinal);
        Assert.Contains($"GATEHOUSE_EVENT_ID={happened.GetProperty("id").GetString()}\n", environment, StringComparison.Ordinal);
        var home = server.Home("alice");
        Assert.True(File.Exists(Path.Combine(home, "archive", "a.xml")));
        Assert.False(File.Exists(Path.Combine(home, "orders", "a.xml")));
        Assert.True(File.Exists(Path.Combine(home, "orders", "b.txt")));
    }

    [Fact]
    public async Task Downloads_deletes_renames_directories_and_logins_each_fire_their_rule()
    {
        string[] kinds = ["login", "login-failed", "download", "mkdir", "rmdir", "rename", "delete"];
        await using var receiver = new WebhookReceiver();
        await using var server = await StartAsync(receiver, [], async settings =>
        {
            foreach (var kind in kinds)
            {
                await GatehouseServer.CliAsync(settings, "rule", "add", $"on-{kind}", "--on", kind, "--webhook", receiver.Url("/" + kind));
            }
        });

        await StepsAsync(server, "stor /f.bin 10", "retr /f.bin", "cmd MKD /d", "cmd RMD /d", "cmd RNFR /f.bin", "cmd RNTO /g.bin", "cmd DELE /g.bin");
        await StepsAsync(server, "wrong password", []);

        Assert.True(await receiver.WaitForAsync(requests => requests.Count >= kinds.Length, Bound), Clients.Tail(server.Output));
        var seen = receiver.Requests.ToDictionary(request => request.Json.GetProperty("event").GetProperty("kind").GetString()!, request => request.Json.GetProperty("event"));
        Assert.Equal(kinds.Order(), seen.Keys.Order());
        Assert.Equal(("/f.bin", "/g.bin"), (seen["rename"].GetProperty("path").GetString(), seen["rename"].GetProperty("targetPath").GetString()));
        Assert.Equal("/d", seen["rmdir"].GetProperty("path").GetString());
        Assert.Equal("alice", seen["login-failed"].GetProperty("user").GetString());
        Assert.Equal("wrong password", seen["login-failed"].GetProperty("reason").GetString());
        Assert.All(receiver.Requests, request => Assert.StartsWith($"POST /{request.Json.GetProperty("event").GetProperty("kind").GetString()} ", request.RequestLine, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mail_action_sends_the_templated_message_through_the_relay()
    {
        await using var receiver = new WebhookReceiver();
        await using var relay = new SmtpReceiver();
        await using var server = await StartAsync(receiver, [], settings =>
            GatehouseServer.CliAsync(settings, "rule", "add", "notify", "--on", "upload", "--mail", "ops@example.com, backoffice@example.com",
                "--subject", "New {kind}: {path}", "--body", "{user} sent {fileName} ({size} bytes) from {client}."),
            new()
            {
                ["Events__SmtpHost"] = "127.0.0.1",
                ["Events__SmtpPort"] = relay.Port.ToString(CultureInfo.InvariantCulture),
                ["Events__SmtpStartTls"] = "false",
                ["Events__SmtpFrom"] = "gatehouse@example.com",
            });

        await StepsAsync(server, "stor /order.xml 321");

        Assert.True(await WaitForDeliveredAsync(server, 1), Clients.Tail(server.Output));
        var message = Assert.Single(relay.Messages);
        Assert.Contains("MAIL FROM:<gatehouse@example.com>", message, StringComparison.Ordinal);
        Assert.Contains("RCPT TO:<ops@example.com>", message, StringComparison.Ordinal);
        Assert.Contains("RCPT TO:<backoffice@example.com>", message, StringComparison.Ordinal);
        Assert.Contains("Subject: New upload: /order.xml", message, StringComparison.Ordinal);
        Assert.Contains("alice sent order.xml (321 bytes) from 127.0.0.1.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_receiver_gets_retries_with_back_off_then_the_delivery_is_kept_failed_until_event_retry()
    {
        await using var receiver = new WebhookReceiver();
        var failures = 2;
        receiver.Answer = _ => Interlocked.Decrement(ref failures) >= 0 ? 500 : 200;
        await using var server = await StartAsync(receiver, [], settings =>
            GatehouseServer.CliAsync(settings, "rule", "add", "hook", "--on", "upload", "--webhook", receiver.Url()),
            new() { ["Events__MaxAttempts"] = "3" });

        await StepsAsync(server, "stor /first.bin 10");
        Assert.True(await WaitForDeliveredAsync(server, 1), Clients.Tail(server.Output));
        var attempts = receiver.Requests.Select(request => request.Json).ToList();
        Assert.Equal([1, 2, 3], attempts.Select(json => json.GetProperty("attempt").GetInt32()));
        Assert.Single(attempts.Select(json => json.GetProperty("deliveryId").GetInt64()).Distinct());

        receiver.Answer = _ => 503;
        await StepsAsync(server, "stor /second.bin 10");
        string failed = string.Empty;
        Assert.True(await WaitUntilAsync(async () => (failed = (await server.RunCliAsync(null, "event", "list", "--failed")).Output).Contains("/second.bin", StringComparison.Ordinal)), failed);
        Assert.Equal(6, receiver.Requests.Count);
        var id = failed.Split('\n').Single(line => line.Contains("/second.bin", StringComparison.Ordinal)).Split(' ')[0];
        var (_, shown) = await server.RunCliAsync(null, "event", "show", id);
        Assert.Contains("failed after 3 attempt(s)", shown, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", shown, StringComparison.Ordinal);

        receiver.Answer = _ => 200;
        await server.CliAsync("event", "retry", id);
        Assert.True(await WaitForDeliveredAsync(server, 2), Clients.Tail(server.Output));
        Assert.Equal(7, receiver.Requests.Count);
    }

    [Fact]
    public async Task A_pre_upload_check_publishes_what_passes_and_quarantines_what_fails_or_times_out()
    {
        var check = Script("check.sh", "#!/bin/sh\nif grep -q EICAR \"$1\"; then echo \"$1: Eicar-Test-Signature FOUND\"; exit 1; fi\nexit 0\n");
        var slow = Script("slow.sh", "#!/bin/sh\nsleep 30\n");
        var clean = Path.Combine(_work.FullName, "clean.txt");
        var infected = Path.Combine(_work.FullName, "bad.txt");
        await File.WriteAllTextAsync(clean, "an order\n");
        await File.WriteAllTextAsync(infected, "X5O!P%@AP EICAR test\n");
        await using var receiver = new WebhookReceiver();
        await using var server = await StartAsync(receiver, [check, slow], async settings =>
        {
            var home = Path.Combine(settings["DataDirectory"], "home", "alice");
            Directory.CreateDirectory(Path.Combine(home, "in"));
            Directory.CreateDirectory(Path.Combine(home, "slow"));
            await GatehouseServer.CliAsync(settings, "rule", "add", "scan", "--on", "pre-upload", "--path", "/in/*", "--command", check);
            await GatehouseServer.CliAsync(settings, "rule", "add", "slow-scan", "--on", "pre-upload", "--path", "/slow/*", "--command", slow, "--timeout", "1");
            await GatehouseServer.CliAsync(settings, "rule", "add", "rejected", "--on", "upload-rejected", "--webhook", receiver.Url());
        });

        var output = await StepsAsync(server, $"put /in/clean.txt {clean}", $"put /in/bad.txt {infected}", $"put /slow/late.txt {clean}", "nlst /in", "nlst /slow");

        Assert.True(Line(output, "put /in/clean.txt").Contains("=> 226", StringComparison.Ordinal), output + Clients.Tail(server.Output));
        Assert.Contains("550 Upload refused by the server's check: bad.txt: Eicar-Test-Signature FOUND", output, StringComparison.Ordinal);
        Assert.Contains("550 Upload refused by the server's check: the upload check did not finish in time", output, StringComparison.Ordinal);
        Assert.Contains("[clean.txt]", output, StringComparison.Ordinal);
        Assert.Contains("nlst /slow => 226", output, StringComparison.Ordinal);
        Assert.DoesNotContain("late.txt]", output, StringComparison.Ordinal);
        var home = server.Home("alice");
        Assert.Equal([Path.Combine(home, "in", "clean.txt")], Directory.GetFiles(home, "*", SearchOption.AllDirectories));
        var quarantined = Directory.GetFiles(Path.Combine(server.DataDirectory, "quarantine"));
        Assert.Equal(2, quarantined.Length);
        Assert.Contains(quarantined, file => file.EndsWith("-bad.txt", StringComparison.Ordinal) && File.ReadAllText(file).Contains("EICAR", StringComparison.Ordinal));
        Assert.True(await receiver.WaitForAsync(requests => requests.Count == 2, Bound), Clients.Tail(server.Output));
        var reasons = receiver.Requests.Select(request => request.Json.GetProperty("event")).ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("reason").GetString());
        Assert.Equal("bad.txt: Eicar-Test-Signature FOUND", reasons["/in/bad.txt"]);
        Assert.Equal("the upload check did not finish in time", reasons["/slow/late.txt"]);
    }

    [Fact]
    public async Task ClamAV_as_the_pre_upload_check_refuses_a_file_with_a_known_signature_and_a_crashing_check_refuses_too()
    {
        Assert.True(File.Exists("/usr/bin/clamscan"), "ClamAV is not installed (apt install clamav)");
        var eicar = Path.Combine(_work.FullName, "eicar.com");
        var clean = Path.Combine(_work.FullName, "clean.txt");
        await File.WriteAllTextAsync(eicar, "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
        await File.WriteAllTextAsync(clean, "an order\n");
        // A signature database of one MD5 signature, built offline the way sigtool --md5 writes it (nothing is downloaded).
        var database = Path.Combine(_work.FullName, "test.hdb");
        var (code, signature) = await Clients.RunAsync("sigtool", ["--md5", eicar]);
        Assert.True(code == 0, signature);
        await File.WriteAllTextAsync(database, string.Join(':', signature.Trim().Split(':')[..2]) + ":Eicar-Test-Signature\n");
        var crash = Script("crash.sh", "#!/bin/sh\nkill -SEGV $$\n");
        await using var receiver = new WebhookReceiver();
        await using var server = await StartAsync(receiver, ["/usr/bin/clamscan", crash], async settings =>
        {
            var home = Path.Combine(settings["DataDirectory"], "home", "alice");
            Directory.CreateDirectory(Path.Combine(home, "in"));
            Directory.CreateDirectory(Path.Combine(home, "crash"));
            await GatehouseServer.CliAsync(settings, "rule", "add", "clamav", "--on", "pre-upload", "--path", "/in/*",
                "--command", "/usr/bin/clamscan", "--arg", "--no-summary", "--arg", "-d", "--arg", database, "--timeout", "60");
            await GatehouseServer.CliAsync(settings, "rule", "add", "crashing", "--on", "pre-upload", "--path", "/crash/*", "--command", crash);
        });

        var output = await StepsAsync(server, $"put /in/clean.txt {clean}", $"put /in/eicar.com {eicar}", $"put /crash/clean.txt {clean}", "nlst /in", "nlst /crash");

        Assert.True(Line(output, "put /in/clean.txt").Contains("=> 226", StringComparison.Ordinal), output);
        Assert.Contains("550 Upload refused by the server's check: eicar.com: Eicar-Test-Signature.UNOFFICIAL FOUND", output, StringComparison.Ordinal);
        Assert.Contains("550 Upload refused by the server's check: the upload check refused it (exit code 139)", output, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(server.Home("alice"), "in", "clean.txt")], Directory.GetFiles(server.Home("alice"), "*", SearchOption.AllDirectories));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(server.DataDirectory, "quarantine")).Length);
    }

    [Fact]
    public async Task A_scheduled_rule_moves_files_older_than_its_age_into_the_archive_and_leaves_newer_ones()
    {
        await using var receiver = new WebhookReceiver();
        await using var server = await StartAsync(receiver, [], async settings =>
        {
            var home = Path.Combine(settings["DataDirectory"], "home", "alice");
            Directory.CreateDirectory(Path.Combine(home, "processed"));
            Directory.CreateDirectory(Path.Combine(home, "archive"));
            await File.WriteAllTextAsync(Path.Combine(home, "processed", "old.xml"), "old");
            await File.WriteAllTextAsync(Path.Combine(home, "processed", "new.xml"), "new");
            File.SetLastWriteTimeUtc(Path.Combine(home, "processed", "old.xml"), DateTime.UtcNow.AddDays(-31));
            await GatehouseServer.CliAsync(settings, "rule", "add", "archive", "--on", "schedule", "--cron", "*/2 * * * * *",
                "--user", "alice", "--path", "/processed/*.xml", "--older-than-days", "30", "--move-to", "/archive");
        });

        var home = server.Home("alice");
        Assert.True(await WaitUntilAsync(() => Task.FromResult(File.Exists(Path.Combine(home, "archive", "old.xml")))), Clients.Tail(server.Output));
        Assert.True(await WaitForDeliveredAsync(server, 1), Clients.Tail(server.Output));
        Assert.True(await server.WaitForLogAsync("Scheduled rule 'archive' fired for", Bound));
        Assert.False(File.Exists(Path.Combine(home, "processed", "old.xml")));
        Assert.True(File.Exists(Path.Combine(home, "processed", "new.xml")));
        Assert.False(File.Exists(Path.Combine(home, "archive", "new.xml")));
    }

    [Fact]
    public async Task An_event_in_delivery_when_the_server_is_killed_is_delivered_after_the_restart()
    {
        await using var receiver = new WebhookReceiver();
        var first = true;
        receiver.Answer = _ => Interlocked.Exchange(ref first, false) ? null : 200;
        await using var server = await StartAsync(receiver, [], settings =>
            GatehouseServer.CliAsync(settings, "rule", "add", "hook", "--on", "upload", "--webhook", receiver.Url(), "--timeout", "5"));

        await StepsAsync(server, "stor /order.bin 10");
        Assert.True(await receiver.WaitForAsync(requests => requests.Count == 1, Bound), Clients.Tail(server.Output));
        await server.KillAsync();
        await server.RestartAsync();

        Assert.True(await WaitForDeliveredAsync(server, 1), Clients.Tail(server.Output));
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(request => request.Json.GetProperty("deliveryId").GetInt64()).Distinct());
    }

    [Fact]
    public async Task Events_whose_226_was_sent_just_before_the_server_was_killed_are_delivered_after_the_restart()
    {
        await using var receiver = new WebhookReceiver();
        var first = true;
        receiver.Answer = _ => Interlocked.Exchange(ref first, false) ? null : 200;
        await using var server = await StartAsync(receiver, [], settings =>
            GatehouseServer.CliAsync(settings, "rule", "add", "hook", "--on", "upload", "--webhook", receiver.Url(), "--timeout", "20"));

        // The dispatcher waits on the first delivery, so the next events stay in the node's journal until the kill.
        await StepsAsync(server, "stor /first.bin 10");
        Assert.True(await receiver.WaitForAsync(requests => requests.Count == 1, Bound), Clients.Tail(server.Output));
        await StepsAsync(server, [.. Enumerable.Range(1, 5).Select(i => $"stor /order{i}.bin 10")]);
        await server.KillAsync();
        await server.RestartAsync();

        Assert.True(await WaitForDeliveredAsync(server, 6), Clients.Tail(server.Output));
        Assert.Contains("Queued 5 event(s) that the event journal held", server.Output, StringComparison.Ordinal);
        var delivered = receiver.Requests.Skip(1).Select(request => request.Json.GetProperty("event").GetProperty("path").GetString()).ToList();
        Assert.Equal(["/first.bin", .. Enumerable.Range(1, 5).Select(i => $"/order{i}.bin")], delivered);
    }

    /// <summary>A server with plain FTP allowed, webhooks allowed to <paramref name="receiver"/> and fast retries.</summary>
    internal static Dictionary<string, string> Settings(WebhookReceiver receiver)
    {
        var settings = new Dictionary<string, string>
        {
            ["Tls__Policy"] = "Optional",
            ["Events__WebhookAllowedHosts__0"] = $"127.0.0.1:{receiver.Port}",
            ["Events__RetryBaseSeconds"] = "1",
        };
        // Run alone, a test class's first server always gets the same passive range, which another test run on this
        // machine may hold; a range of its own, chosen at random, makes a clash unlikely.
        var first = 34000 + (Random.Shared.Next(200) * 20);
        settings["Ftp__PassivePorts"] = $"{first}-{first + 19}";
        return settings;
    }

    private static async Task<GatehouseServer> StartAsync(WebhookReceiver receiver, string[] commands, Func<IReadOnlyDictionary<string, string>, Task> prepare, Dictionary<string, string>? extra = null)
    {
        var settings = Settings(receiver);
        for (var i = 0; i < commands.Length; i++)
        {
            settings[$"Events__Commands__{i}"] = commands[i];
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return await GatehouseServer.StartAsync(settings, prepare: prepare);
    }

    private static Task<string> StepsAsync(GatehouseServer server, params string[] steps) => StepsAsync(server, GatehouseServer.Password, steps);

    private static async Task<string> StepsAsync(GatehouseServer server, string password, string[] steps)
    {
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "clients", "ftpsteps.py"),
            "--port", server.ExplicitPort.ToString(CultureInfo.InvariantCulture), "--user", "alice", "--password", password, .. steps,
        ];
        var (code, output) = await Clients.RunAsync(Clients.Python, arguments, Bound);
        Assert.True(code == 0, output);
        return output;
    }

    private string Script(string name, string text)
    {
        var path = Path.Combine(_work.FullName, name);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>The receiver's check, as docs/events.md tells receivers to make it.</summary>
    private static void AssertSigned(WebhookReceiver.Request request)
    {
        var parts = request.Headers["X-Gatehouse-Signature"].Split(',').Select(part => part.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        var signed = Encoding.UTF8.GetBytes(parts["t"] + ".").Concat(request.Body).ToArray();
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed)), parts["v1"]);
        Assert.InRange(long.Parse(parts["t"], CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    internal static async Task<bool> WaitForDeliveredAsync(GatehouseServer server, int count) =>
        await WaitUntilAsync(async () => CountOf((await server.RunCliAsync(null, "event", "list")).Output, " delivered ") >= count);

    private static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }

    internal static int CountOf(string text, string part) => text.Split(part).Length - 1;

    private static string Line(string text, string part) => text.Split('\n').FirstOrDefault(line => line.Contains(part, StringComparison.Ordinal)) ?? string.Empty;
}
