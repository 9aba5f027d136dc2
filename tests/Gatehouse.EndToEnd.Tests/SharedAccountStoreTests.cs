using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gatehouse.Tests.Shared;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Two servers on one PostgreSQL account store, as the nodes of a cluster are: accounts and bans are shared.</summary>
public sealed class SharedAccountStoreTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["AccountStore__Provider"] = "PostgreSql",
        ["AccountStore__ConnectionString"] = connectionString,
        ["Bans__Threshold"] = "2",
        ["Bans__BanSeconds"] = "600",
    };

    [Fact]
    public async Task Two_nodes_share_accounts_files_and_bans()
    {
        var settings = Settings(postgres.CreateDatabase());
        await using var first = await GatehouseServer.StartAsync(settings);
        await using var second = await GatehouseServer.StartAsync(settings, users: []);

        // The account made through the first node's CLI logs in on the second, into the same home.
        var upload = await FtpSteps.RunAsync(second, "alice", ["stor shared.bin 300000", "retr shared.bin"]);
        Assert.StartsWith("226", upload["stor shared.bin 300000"], StringComparison.Ordinal);
        var download = await FtpSteps.RunAsync(first, "alice", ["retr shared.bin"]);
        Assert.Equal(upload["retr shared.bin"], download["retr shared.bin"]);
        Assert.Contains("bytes=300000", download["retr shared.bin"], StringComparison.Ordinal);

        // A ban decided by the first node is enforced by the second.
        var attacker = IPAddress.Parse("127.0.0.6");
        Assert.StartsWith("421", (await FtpSteps.RunAsync(first, "alice", [], password: "wrong-guess", source: attacker.ToString())).Login, StringComparison.Ordinal);
        Assert.True(await first.WaitForLogAsync("Banned 127.0.0.6 until", TimeSpan.FromSeconds(5)), first.Output);
        var refused = await FirstReplyWithinAsync(second, attacker, reply => reply.StartsWith("421", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.StartsWith("421 Too many failed logins", refused, StringComparison.Ordinal);
        Assert.True(await second.WaitForLogAsync("Connection from 127.0.0.6 refused: banned until", TimeSpan.FromSeconds(5)), second.Output);

        var (code, list) = await second.RunCliAsync(null, "ban", "list");
        Assert.True(code == 0, list);
        Assert.Contains("127.0.0.6", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_nodes_uploading_the_same_names_into_one_home_keep_every_file_whole_and_the_quota_exact()
    {
        var settings = Settings(postgres.CreateDatabase());
        await using var first = await GatehouseServer.StartAsync(settings);
        await using var second = await GatehouseServer.StartAsync(settings, users: []);
        await first.CliAsync("user", "set", "alice", "--quota-bytes", "1G");

        // Eight sessions, four on each node, race to upload two names with sizes of their own.
        var sizes = Enumerable.Range(0, 8).Select(i => 200_000 + (i * 10_007)).ToArray();
        var uploads = await Task.WhenAll(sizes.Select((size, i) =>
            FtpSteps.RunAsync(i % 2 == 0 ? first : second, "alice", [$"stor /race-{i % 2}.bin {size}"])));
        for (var i = 0; i < uploads.Length; i++)
        {
            Assert.StartsWith("226", uploads[i][$"stor /race-{i % 2}.bin {sizes[i]}"], StringComparison.Ordinal);
        }

        var files = Directory.GetFiles(first.Home("alice")).Select(path => new FileInfo(path)).ToArray();
        Assert.Equal(["race-0.bin", "race-1.bin"], files.Select(file => file.Name).Order());
        Assert.All(files, file => Assert.Contains((int)file.Length, sizes));
        var (code, shown) = await second.RunCliAsync(null, "user", "show", "alice");
        Assert.True(code == 0, shown);
        Assert.Contains($"home usage:  {Storage.Quotas.QuotaLedger.Format(files.Sum(file => file.Length))} in 2 files", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_per_user_are_counted_across_nodes()
    {
        var settings = Settings(postgres.CreateDatabase());
        await using var first = await GatehouseServer.StartAsync(settings);
        await using var second = await GatehouseServer.StartAsync(settings, users: []);
        await first.CliAsync("user", "set", "alice", "--max-sessions", "1");

        var held = Clients.RunAsync(Clients.Python, [Clients.Script, "hold", "--port", first.ExplicitPort.ToString(CultureInfo.InvariantCulture),
            "--user", "alice", "--password", GatehouseServer.Password, "--tls", "--cafile", first.CaFile, "--seconds", "4"]);
        Assert.True(await first.WaitForLogAsync("Login succeeded", TimeSpan.FromSeconds(20)), first.Output);

        Assert.Equal("530 Too many sessions for your account (limit 1); close one and try again.", (await FtpSteps.RunAsync(second, "alice", [])).Login);
        Assert.True(await second.WaitForLogAsync("1 sessions already open, max-sessions is 1", TimeSpan.FromSeconds(5)), second.Output);

        var (code, output) = await held;
        Assert.True(code == 0 && output.Contains("OK hold", StringComparison.Ordinal), output);
        Assert.True(await first.WaitForLogAsync("Session ended", TimeSpan.FromSeconds(5)), first.Output);
        Assert.StartsWith("230", (await FtpSteps.RunAsync(second, "alice", [])).Login, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_cannot_reach_its_store_refuses_to_start_and_names_the_setting()
    {
        var settings = Settings($"Host=127.0.0.1;Port={GatehouseServer.FreePort()};Database=gatehouse;Username=gatehouse;Password=x;Timeout=3");
        settings["DataDirectory"] = Directory.CreateTempSubdirectory("gatehouse-nostore-").FullName;
        try
        {
            var (code, output) = await GatehouseServer.RunCliAsync(settings, null, "serve");
            Assert.Equal(1, code);
            Assert.Contains("Gatehouse could not start: the PostgreSQL account store could not be opened", output, StringComparison.Ordinal);
            Assert.Contains("Check AccountStore:ConnectionString", output, StringComparison.Ordinal);

            (code, output) = await GatehouseServer.RunCliAsync(settings, null, "user", "list");
            Assert.Equal(1, code);
            Assert.Contains("Check AccountStore:ConnectionString", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(settings["DataDirectory"], recursive: true);
        }
    }

    /// <summary>Bans reach other nodes when they next read the store (every 5 s), so the second node is asked until it refuses.</summary>
    private static async Task<string> FirstReplyWithinAsync(GatehouseServer server, IPAddress source, Func<string, bool> wanted, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var client = await RawControl.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.ExplicitPort), source);
            var reply = await client.ReadReplyAsync();
            if (wanted(reply) || clock.Elapsed > limit)
            {
                return reply;
            }

            await Task.Delay(500);
        }
    }
}
