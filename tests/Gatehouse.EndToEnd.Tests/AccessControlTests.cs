using System.Globalization;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Groups, shared folders, per-path permissions, quotas, lifecycle and per-user limits, driven through the real CLI and real clients.</summary>
public sealed class AccessControlTests
{
    [Fact]
    public async Task Member_of_two_groups_sees_both_groups_folders_and_a_read_only_mount_refuses_every_change()
    {
        await using var server = await GatehouseServer.StartAsync();
        var prices = Directory.CreateDirectory(Path.Combine(server.DataDirectory, "exchange", "price-lists")).FullName;
        var drop = Path.Combine(server.DataDirectory, "exchange", "drop");
        var priceList = Clients.RandomFile(prices, "prices.csv", 5000);
        await server.CliAsync("group", "add", "customers");
        await server.CliAsync("group", "add", "partners");
        await server.CliAsync("folder", "add", "prices", "--path", prices);
        await server.CliAsync("folder", "add", "drop", "--path", drop);
        await server.CliAsync("folder", "mount", "prices", "--group", "customers", "--at", "/shared/prices", "--read-only");
        await server.CliAsync("folder", "mount", "drop", "--group", "partners", "--at", "/drop");
        await server.CliAsync("user", "set", "alice", "--add-group", "customers", "--add-group", "partners");

        var steps = await FtpSteps.RunAsync(server, "alice",
        [
            "nlst /", "nlst /shared", "nlst /shared/prices", "retr /shared/prices/prices.csv",
            "stor /shared/prices/new.csv 100", "stor /shared/prices/prices.csv 100", "appe /shared/prices/prices.csv 10", "cmd DELE /shared/prices/prices.csv",
            "cmd RNFR /shared/prices/prices.csv", "cmd MKD /shared/prices/sub", "cmd MFMT 20200101000000 /shared/prices/prices.csv",
            "stor /shared/loose.txt 10", "cmd RMD /shared/prices", "cmd RNFR /drop",
            "stor /drop/order.xml 2000", "nlst /drop",
        ]);

        Assert.StartsWith("230", steps.Login, StringComparison.Ordinal);
        Assert.EndsWith("[drop,shared]", steps["nlst /"], StringComparison.Ordinal);
        Assert.EndsWith("[prices]", steps["nlst /shared"], StringComparison.Ordinal);
        Assert.EndsWith("[prices.csv]", steps["nlst /shared/prices"], StringComparison.Ordinal);
        Assert.Contains($"bytes=5000 sha256={Sha256(priceList)}", steps["retr /shared/prices/prices.csv"], StringComparison.Ordinal);
        foreach (var refused in new[] { "stor /shared/prices/new.csv 100", "stor /shared/prices/prices.csv 100", "appe /shared/prices/prices.csv 10", "cmd DELE /shared/prices/prices.csv", "cmd RNFR /shared/prices/prices.csv", "cmd MKD /shared/prices/sub", "cmd MFMT 20200101000000 /shared/prices/prices.csv" })
        {
            Assert.StartsWith("550", steps[refused], StringComparison.Ordinal);
            Assert.Contains("read-only folder /shared/prices", steps[refused], StringComparison.Ordinal);
        }

        Assert.StartsWith("550", steps["stor /shared/loose.txt 10"], StringComparison.Ordinal);
        Assert.StartsWith("550", steps["cmd RMD /shared/prices"], StringComparison.Ordinal);
        Assert.StartsWith("550", steps["cmd RNFR /drop"], StringComparison.Ordinal);
        Assert.StartsWith("226", steps["stor /drop/order.xml 2000"], StringComparison.Ordinal);
        Assert.EndsWith("[order.xml]", steps["nlst /drop"], StringComparison.Ordinal);
        Assert.Equal(2000, new FileInfo(Path.Combine(drop, "order.xml")).Length);
        Assert.Equal(["prices.csv"], Directory.GetFiles(prices).Select(Path.GetFileName));
        Assert.True(await server.WaitForLogAsync("Refused upload", TimeSpan.FromSeconds(5)) || server.Output.Contains("Refused STOR", StringComparison.Ordinal), server.Output);

        var (_, effective) = await server.RunCliAsync(null, "user", "show", "alice", "--effective");
        Assert.Contains("/shared/prices           folder prices", effective, StringComparison.Ordinal);
        Assert.Contains("from group customers", effective, StringComparison.Ordinal);
        Assert.Contains("from group partners", effective, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_path_permissions_refuse_with_the_missing_permission_named_and_the_users_rule_beats_the_groups()
    {
        await using var server = await GatehouseServer.StartAsync();
        Directory.CreateDirectory(Path.Combine(server.Home("alice"), "incoming"));
        Clients.RandomFile(server.Home("alice"), "readme.txt", 100);
        await server.CliAsync("group", "add", "uploaders");
        await server.CliAsync("user", "set", "alice", "--add-group", "uploaders");
        await server.CliAsync("perm", "set", "--group", "uploaders", "/", "list,download");
        await server.CliAsync("perm", "set", "--group", "uploaders", "/incoming", "all");
        await server.CliAsync("perm", "set", "--user", "alice", "/incoming", "list,upload");

        var steps = await FtpSteps.RunAsync(server, "alice",
        [
            "retr /readme.txt", "stor /top.bin 10", "cmd DELE /readme.txt", "cmd MKD /newdir",
            "stor /incoming/a.bin 10", "stor /incoming/a.bin 20", "cmd DELE /incoming/a.bin", "cmd MKD /incoming/sub", "cmd RNFR /incoming/a.bin", "nlst /incoming",
        ]);

        Assert.StartsWith("226", steps["retr /readme.txt"], StringComparison.Ordinal);
        Assert.Equal("550 Permission denied: you lack the 'upload' permission for /top.bin.", steps["stor /top.bin 10"]);
        Assert.Equal("550 Permission denied: you lack the 'delete' permission for /readme.txt.", steps["cmd DELE /readme.txt"]);
        Assert.Equal("550 Permission denied: you lack the 'create-dirs' permission for /newdir.", steps["cmd MKD /newdir"]);
        Assert.StartsWith("226", steps["stor /incoming/a.bin 10"], StringComparison.Ordinal);
        Assert.Equal("550 Permission denied: you lack the 'overwrite' permission for /incoming/a.bin.", steps["stor /incoming/a.bin 20"]);
        Assert.Equal("550 Permission denied: you lack the 'delete' permission for /incoming/a.bin.", steps["cmd DELE /incoming/a.bin"]);
        Assert.Equal("550 Permission denied: you lack the 'create-dirs' permission for /incoming/sub.", steps["cmd MKD /incoming/sub"]);
        Assert.Equal("550 Permission denied: you lack the 'rename' permission for /incoming/a.bin.", steps["cmd RNFR /incoming/a.bin"]);
        Assert.EndsWith("[a.bin]", steps["nlst /incoming"], StringComparison.Ordinal);
        Assert.Equal(10, new FileInfo(Path.Combine(server.Home("alice"), "incoming", "a.bin")).Length);
        Assert.Contains("Refused DELE /readme.txt: Permission denied", server.Output, StringComparison.Ordinal);
    }

    /// <summary>Over TLS, and plain, where an upload goes from socket to file without passing through the server's memory.</summary>
    private static Task<GatehouseServer> StartAsync(bool tls) =>
        GatehouseServer.StartAsync(tls ? null : new() { ["Tls__Policy"] = "Optional" });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Quota_exceeding_upload_fails_with_552_leaves_nothing_behind_and_usage_stays_right(bool tls)
    {
        await using var server = await StartAsync(tls);
        await server.CliAsync("user", "set", "alice", "--quota-bytes", "100K", "--quota-files", "3");
        var steps = await FtpSteps.RunAsync(server, "alice",
        [
            "stor /a.bin 60000", "stor /b.bin 60000", "nlst /", "cmd DELE /a.bin", "stor /b.bin 50000",
            "stor /c.bin 10", "stor /d.bin 10", "stor /e.bin 10",
        ], tls);

        Assert.StartsWith("226", steps["stor /a.bin 60000"], StringComparison.Ordinal);
        Assert.StartsWith("552 Quota exceeded: this upload would take your home past its limit of 100 KiB", steps["stor /b.bin 60000"], StringComparison.Ordinal);
        Assert.EndsWith("[a.bin]", steps["nlst /"], StringComparison.Ordinal);
        Assert.StartsWith("250", steps["cmd DELE /a.bin"], StringComparison.Ordinal);
        Assert.StartsWith("226", steps["stor /b.bin 50000"], StringComparison.Ordinal);
        Assert.StartsWith("226", steps["stor /c.bin 10"], StringComparison.Ordinal);
        Assert.StartsWith("226", steps["stor /d.bin 10"], StringComparison.Ordinal);
        Assert.StartsWith("552 Quota exceeded: your home already holds 3 of its 3 allowed files", steps["stor /e.bin 10"], StringComparison.Ordinal);
        Assert.Equal(["b.bin", "c.bin", "d.bin"], Directory.GetFiles(server.Home("alice")).Select(Path.GetFileName).Order());

        var (_, show) = await server.RunCliAsync(null, "user", "show", "alice");
        Assert.Contains("home usage:  48.85 KiB in 3 files", show, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_uploads_never_pass_the_quota_together_and_usage_matches_the_disk()
    {
        await using var server = await GatehouseServer.StartAsync();
        await server.CliAsync("user", "set", "alice", "--quota-bytes", "1M");
        var uploads = Enumerable.Range(0, 4).Select(i => FtpSteps.RunAsync(server, "alice", [$"stor /part{i}.bin 400000"])).ToList();
        var results = await Task.WhenAll(uploads);

        var succeeded = results.Count(result => result.Output.Contains("=> 226", StringComparison.Ordinal));
        Assert.InRange(succeeded, 1, 2);
        Assert.All(results.Where(result => !result.Output.Contains("=> 226", StringComparison.Ordinal)), result => Assert.Contains("=> 552", result.Output, StringComparison.Ordinal));
        var onDisk = Directory.GetFiles(server.Home("alice")).Select(file => new FileInfo(file).Length).ToList();
        Assert.Equal(succeeded, onDisk.Count);
        Assert.True(onDisk.Sum() <= 1 << 20);
        var (_, show) = await server.RunCliAsync(null, "user", "show", "alice");
        Assert.Contains($"in {succeeded} files", show, StringComparison.Ordinal);
        var (_, scan) = await server.RunCliAsync(null, "quota", "scan");
        Assert.Contains($"user:alice                       {onDisk.Sum(),-14} {succeeded,-8} 1 MiB", scan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Folder_quota_is_shared_by_every_user_who_mounts_it()
    {
        await using var server = await GatehouseServer.StartAsync(users: ["alice", "bob"]);
        var drop = Path.Combine(server.DataDirectory, "drop");
        await server.CliAsync("folder", "add", "drop", "--path", drop, "--quota-files", "2");
        await server.CliAsync("group", "add", "suppliers");
        await server.CliAsync("folder", "mount", "drop", "--group", "suppliers", "--at", "/drop");
        await server.CliAsync("user", "set", "alice", "--add-group", "suppliers");
        await server.CliAsync("user", "set", "bob", "--add-group", "suppliers");

        var alice = await FtpSteps.RunAsync(server, "alice", ["stor /drop/a1.bin 100", "stor /drop/a2.bin 100"]);
        var bob = await FtpSteps.RunAsync(server, "bob", ["stor /drop/b1.bin 100", "stor /home.bin 100"]);
        Assert.StartsWith("226", alice["stor /drop/a2.bin 100"], StringComparison.Ordinal);
        Assert.StartsWith("552 Quota exceeded: the folder /drop already holds 2 of its 2 allowed files", bob["stor /drop/b1.bin 100"], StringComparison.Ordinal);
        Assert.StartsWith("226", bob["stor /home.bin 100"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_and_disabled_accounts_and_foreign_networks_get_the_same_reply_as_a_wrong_password()
    {
        await using var server = await GatehouseServer.StartAsync(users: ["alice", "bob", "carol"]);
        await server.CliAsync("user", "set", "alice", "--expires", "2020-01-01");
        await server.CliAsync("user", "disable", "bob");
        await server.CliAsync("group", "add", "office");
        await server.CliAsync("group", "set", "office", "--allow", "127.0.0.3/32");
        await server.CliAsync("user", "set", "carol", "--add-group", "office");

        var wrongPassword = await FtpSteps.RunAsync(server, "carol", [], password: "not-the-password");
        var expired = await FtpSteps.RunAsync(server, "alice", []);
        var disabled = await FtpSteps.RunAsync(server, "bob", []);
        var foreign = await FtpSteps.RunAsync(server, "carol", [], source: "127.0.0.1");
        var fromOffice = await FtpSteps.RunAsync(server, "carol", ["nlst /"], source: "127.0.0.3");

        Assert.Equal("530 Login incorrect.", wrongPassword.Login);
        Assert.Equal(wrongPassword.Login, expired.Login);
        Assert.Equal(wrongPassword.Login, disabled.Login);
        Assert.Equal(wrongPassword.Login, foreign.Login);
        Assert.StartsWith("230", fromOffice.Login, StringComparison.Ordinal);
        Assert.Contains("Login of 'alice' refused although the password was right: account expired on 2020-01-01", server.Output, StringComparison.Ordinal);
        Assert.Contains("Login failed for user 'bob': account disabled", server.Output, StringComparison.Ordinal);
        Assert.Contains("Login of 'carol' refused although the password was right: 127.0.0.1 is not in the allowed networks (127.0.0.3/32); rules from group office", server.Output, StringComparison.Ordinal);

        await server.CliAsync("user", "set", "alice", "--expires", "never");
        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [])).Login, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_can_require_TLS_where_the_server_leaves_it_optional()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" }, users: ["alice", "bob"]);
        await server.CliAsync("group", "add", "secure");
        await server.CliAsync("group", "set", "secure", "--tls", "required");
        await server.CliAsync("user", "set", "alice", "--add-group", "secure");

        var plain = await FtpSteps.RunAsync(server, "alice", [], tls: false);
        var encrypted = await FtpSteps.RunAsync(server, "alice", ["nlst /", "cmd PROT C", "nlst /"]);
        var other = await FtpSteps.RunAsync(server, "bob", ["nlst /"], tls: false);

        Assert.Equal("530 This account requires TLS: reconnect with explicit FTP over TLS (AUTH TLS) before logging in.", plain.Login);
        Assert.StartsWith("230", encrypted.Login, StringComparison.Ordinal);
        Assert.StartsWith("521 Data connections must be encrypted", encrypted.Output.Split('\n').Last(line => line.StartsWith("nlst /", StringComparison.Ordinal))["nlst / => ".Length..], StringComparison.Ordinal);
        Assert.StartsWith("226", other["nlst /"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_per_user_are_limited()
    {
        await using var server = await GatehouseServer.StartAsync();
        await server.CliAsync("user", "set", "alice", "--max-sessions", "1");
        var held = Clients.RunAsync(Clients.Python, [Clients.Script, "hold", "--port", server.ExplicitPort.ToString(CultureInfo.InvariantCulture),
            "--user", "alice", "--password", GatehouseServer.Password, "--tls", "--cafile", server.CaFile, "--seconds", "4"]);
        Assert.True(await server.WaitForLogAsync("Login succeeded", TimeSpan.FromSeconds(20)), server.Output);

        var second = await FtpSteps.RunAsync(server, "alice", []);
        Assert.Equal("530 Too many sessions for your account (limit 1); close one and try again.", second.Login);

        var (code, output) = await held;
        Assert.True(code == 0 && output.Contains("OK hold", StringComparison.Ordinal), output);
        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [])).Login, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Bandwidth_is_limited_per_user_in_both_directions(bool tls)
    {
        await using var server = await StartAsync(tls);
        Clients.RandomFile(server.Home("alice"), "big.bin", 400 * 1024);
        await server.CliAsync("user", "set", "alice", "--download-rate", "200K", "--upload-rate", "200K");

        var download = System.Diagnostics.Stopwatch.StartNew();
        var retr = await FtpSteps.RunAsync(server, "alice", ["retr /big.bin"], tls);
        download.Stop();
        var upload = System.Diagnostics.Stopwatch.StartNew();
        var stor = await FtpSteps.RunAsync(server, "alice", ["stor /up.bin 409600"], tls);
        upload.Stop();

        Assert.Contains("bytes=409600", retr["retr /big.bin"], StringComparison.Ordinal);
        Assert.StartsWith("226", stor["stor /up.bin 409600"], StringComparison.Ordinal);
        Assert.Equal(409600, new FileInfo(Path.Combine(server.Home("alice"), "up.bin")).Length);

        // 400 KiB at 200 KiB/s after a 50 KiB burst needs at least 1.75 s; a functional lower bound, not a benchmark.
        Assert.True(download.Elapsed >= TimeSpan.FromSeconds(1.5), $"download took only {download.Elapsed}");
        Assert.True(upload.Elapsed >= TimeSpan.FromSeconds(1.5), $"upload took only {upload.Elapsed}");
    }

    [Fact]
    public async Task Unmounting_a_folder_and_removing_a_permission_take_effect_at_the_next_login()
    {
        await using var server = await GatehouseServer.StartAsync();
        var reports = Directory.CreateDirectory(Path.Combine(server.DataDirectory, "reports")).FullName;
        Clients.RandomFile(server.Home("alice"), "keep.txt", 10);
        await server.CliAsync("folder", "add", "reports", "--path", reports);
        await server.CliAsync("folder", "mount", "reports", "--user", "alice", "--at", "/reports");
        await server.CliAsync("perm", "set", "--user", "alice", "/", "list,download");

        var (_, rules) = await server.RunCliAsync(null, "perm", "list", "--user", "alice");
        Assert.Contains("list,download", rules, StringComparison.Ordinal);
        var before = await FtpSteps.RunAsync(server, "alice", ["nlst /", "cmd DELE /keep.txt"]);
        Assert.EndsWith("[keep.txt,reports]", before["nlst /"], StringComparison.Ordinal);
        Assert.StartsWith("550", before["cmd DELE /keep.txt"], StringComparison.Ordinal);

        await server.CliAsync("folder", "unmount", "--user", "alice", "--at", "/reports");
        await server.CliAsync("perm", "remove", "--user", "alice", "/");
        (_, rules) = await server.RunCliAsync(null, "perm", "list", "--user", "alice");
        Assert.DoesNotContain("list,download", rules, StringComparison.Ordinal);

        var after = await FtpSteps.RunAsync(server, "alice", ["nlst /", "cmd DELE /keep.txt"]);
        Assert.EndsWith("[keep.txt]", after["nlst /"], StringComparison.Ordinal);
        Assert.StartsWith("250", after["cmd DELE /keep.txt"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_deletes_old_files_with_a_log_line_each_and_a_dry_run_deletes_nothing()
    {
        await using var server = await GatehouseServer.StartAsync();
        var drop = Path.Combine(server.DataDirectory, "drop");
        await server.CliAsync("folder", "add", "drop", "--path", drop, "--retention-days", "7");
        var old = Clients.RandomFile(drop, "old.csv", 10);
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-8));
        Clients.RandomFile(drop, "fresh.csv", 10);

        var (code, dryRun) = await server.RunCliAsync(null, "retention", "run", "--dry-run");
        Assert.Equal(0, code);
        Assert.Contains("would delete folder:drop:/old.csv", dryRun, StringComparison.Ordinal);
        Assert.DoesNotContain("fresh.csv", dryRun, StringComparison.Ordinal);
        Assert.True(File.Exists(old));

        var (_, run) = await server.RunCliAsync(null, "retention", "run");
        Assert.Contains("deleted folder:drop:/old.csv", run, StringComparison.Ordinal);
        Assert.Equal(["fresh.csv"], Directory.GetFiles(drop).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_server_sweeps_retention_on_its_own_and_a_dry_run_only_logs(bool dryRun)
    {
        string? stale = null;
        await using var server = await GatehouseServer.StartAsync(
            new Dictionary<string, string> { ["Retention__DryRun"] = dryRun ? "true" : "false" },
            prepare: async settings =>
            {
                stale = Clients.RandomFile(Path.Combine(settings["DataDirectory"], "home", "alice"), "stale.txt", 10);
                File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-3));
                await GatehouseServer.CliAsync(settings, "user", "set", "alice", "--retention-days", "2");
            });

        var expected = dryRun ? "Retention would delete (Retention:DryRun) user:alice:/stale.txt" : "Retention deleted user:alice:/stale.txt";
        Assert.True(await server.WaitForLogAsync(expected, TimeSpan.FromSeconds(20)), server.Output);
        Assert.Equal(dryRun, File.Exists(stale));
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
