using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>LDAP logins against a real OpenLDAP server (slapd) that each test configures and starts on loopback.</summary>
public sealed class LdapTests
{
    private const string AlicePassword = "Alice-Directory-Pass-1";
    private const string BobPassword = "Bob-Directory-Pass-2";
    private const string CarolPassword = "Carol-Directory-Pass-3";
    private const string DirectoryDavePassword = "Dave-Directory-Pass-4";

    [Fact]
    public async Task Search_then_bind_over_StartTLS_creates_the_account_and_home_and_group_membership_follows_the_directory()
    {
        await using var slapd = await Slapd.StartAsync(
            [("alice", AlicePassword), ("carol", CarolPassword), ("dave", DirectoryDavePassword)],
            [("partners", ["alice", "dave"]), ("staff", ["alice"]), ("others", ["carol"])]);
        await using var server = await GatehouseServer.StartAsync(
            slapd.SearchThenBindSettings(("partners", "customers"), ("staff", "employees")),
            users: ["dave"],
            prepare: settings => SharedPricesAsync(settings, "customers", "employees", "auditors"));

        var (code, check) = await server.RunCliAsync(AlicePassword + "\n", "ldap", "test", "alice", "--password-stdin");
        Assert.True(code == 0, check);
        Assert.Contains($"Entry:      {Slapd.UserDn("alice")}", check, StringComparison.Ordinal);
        Assert.Contains("Maps to:    customers, employees", check, StringComparison.Ordinal);

        var first = await FtpSteps.RunAsync(server, "Alice", ["nlst /shared/prices", "stor /report.csv 1000"], password: AlicePassword);
        Assert.StartsWith("230", first.Login, StringComparison.Ordinal);
        Assert.EndsWith("[prices.csv]", first["nlst /shared/prices"], StringComparison.Ordinal);
        Assert.StartsWith("226", first["stor /report.csv 1000"], StringComparison.Ordinal);
        Assert.Equal(1000, new FileInfo(Path.Combine(server.Home("alice"), "report.csv")).Length);
        Assert.Matches(@"alice\s+enabled\s+ldap\s.*customers,employees", await UserLineAsync(server, "alice"));
        Assert.True(await server.WaitForLogAsync("Created directory account 'alice' for uid=alice,ou=people,dc=example,dc=org", TimeSpan.FromSeconds(5)), server.Output);

        var (passwdCode, passwd) = await server.RunCliAsync("Some-New-Password-31\n", "user", "passwd", "alice", "--password-stdin");
        Assert.Equal(1, passwdCode);
        Assert.Contains("'alice' is a directory account", passwd, StringComparison.Ordinal);

        // Groups no mapping targets are the administrator's and stay; mapped ones follow the directory at each login.
        await server.CliAsync("user", "set", "alice", "--add-group", "auditors");
        await slapd.SetMembersAsync("staff");
        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [], password: AlicePassword)).Login, StringComparison.Ordinal);
        Assert.Matches(@"alice\s+enabled\s+ldap\s.*auditors,customers\s", await UserLineAsync(server, "alice"));
        Assert.True(await server.WaitForLogAsync("Directory account 'alice' left group 'employees'", TimeSpan.FromSeconds(5)), server.Output);

        Assert.StartsWith("530", (await FtpSteps.RunAsync(server, "alice", [], password: "Not-Her-Password-9")).Login, StringComparison.Ordinal);
        Assert.True(await server.WaitForLogAsync("Login failed for user 'alice': wrong password", TimeSpan.FromSeconds(5)), server.Output);

        Assert.StartsWith("530", (await FtpSteps.RunAsync(server, "carol", [], password: CarolPassword)).Login, StringComparison.Ordinal);
        Assert.True(await server.WaitForLogAsync("uid=carol,ou=people,dc=example,dc=org is in no directory group listed in Ldap:GroupMappings", TimeSpan.FromSeconds(5)), server.Output);

        // A local account never consults the directory, even when the directory has the same name.
        Assert.StartsWith("530", (await FtpSteps.RunAsync(server, "dave", [], password: DirectoryDavePassword)).Login, StringComparison.Ordinal);
        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "dave", [])).Login, StringComparison.Ordinal);
        Assert.Matches(@"dave\s+enabled\s+local\s", await UserLineAsync(server, "dave"));

        await slapd.SetMembersAsync("partners", "dave");
        Assert.StartsWith("530", (await FtpSteps.RunAsync(server, "alice", [], password: AlicePassword)).Login, StringComparison.Ordinal);
        Assert.Contains("STARTTLS", slapd.Output, StringComparison.Ordinal);
        AssertEveryPasswordWentOverTls(slapd);
    }

    [Fact]
    public async Task Direct_bind_over_LDAPS_maps_a_group_given_by_its_DN()
    {
        await using var slapd = await Slapd.StartAsync([("bob", BobPassword)], [("partners", ["bob"])]);
        await using var server = await GatehouseServer.StartAsync(
            slapd.DirectBindSettings(("CN=Partners, ou=groups, dc=example, dc=org", "customers")),
            users: [],
            prepare: settings => SharedPricesAsync(settings, "customers"));

        var steps = await FtpSteps.RunAsync(server, "bob", ["nlst /shared/prices", "retr /shared/prices/prices.csv"], password: BobPassword);
        Assert.StartsWith("230", steps.Login, StringComparison.Ordinal);
        Assert.EndsWith("[prices.csv]", steps["nlst /shared/prices"], StringComparison.Ordinal);
        Assert.Contains("bytes=300", steps["retr /shared/prices/prices.csv"], StringComparison.Ordinal);
        Assert.True(Directory.Exists(server.Home("bob")));

        Assert.StartsWith("530", (await FtpSteps.RunAsync(server, "bob", [], password: "Wrong-Password-77")).Login, StringComparison.Ordinal);
        Assert.StartsWith("530", (await FtpSteps.RunAsync(server, "nobody", [], password: BobPassword)).Login, StringComparison.Ordinal);
        Assert.True(await server.WaitForLogAsync("bind as uid=nobody,ou=people,dc=example,dc=org refused", TimeSpan.FromSeconds(5)), server.Output);
        Assert.Contains("TLS established", slapd.Output, StringComparison.Ordinal);
        AssertEveryPasswordWentOverTls(slapd);
    }

    [Fact]
    public async Task A_directory_that_is_down_gives_421_at_once_while_local_accounts_still_log_in()
    {
        var closed = GatehouseServer.FreePort();
        await using var server = await GatehouseServer.StartAsync(UnreachableSettings(closed));

        var stopwatch = Stopwatch.StartNew();
        var directoryUser = await FtpSteps.RunAsync(server, "zed", [], password: "Zed-Directory-Pass-5");
        Assert.Equal("421 Login service unavailable: the account directory cannot be reached. Try again later.", directoryUser.Login);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
        Assert.True(await server.WaitForLogAsync("Login of 'zed' could not be checked, the directory is unavailable", TimeSpan.FromSeconds(5)), server.Output);
        Assert.Contains($"127.0.0.1:{closed}", server.Output, StringComparison.Ordinal);

        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", ["nlst /"])).Login, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_that_accepts_and_never_answers_gives_421_within_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                held.Add(await silent.AcceptSocketAsync(stop.Token));
            }
        });
        try
        {
            var settings = UnreachableSettings(((IPEndPoint)silent.LocalEndpoint).Port);
            settings["Ldap__TimeoutSeconds"] = "2";
            await using var server = await GatehouseServer.StartAsync(settings);

            var stopwatch = Stopwatch.StartNew();
            var steps = await FtpSteps.RunAsync(server, "zed", [], password: "Zed-Directory-Pass-5");
            Assert.StartsWith("421 Login service unavailable", steps.Login, StringComparison.Ordinal);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
            Assert.NotEmpty(held);
            Assert.True(await server.WaitForLogAsync("Login of 'zed' could not be checked, the directory is unavailable", TimeSpan.FromSeconds(5)), server.Output);
            Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [])).Login, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
            held.ForEach(socket => socket.Dispose());
        }
    }

    /// <summary>slapd's stats log gives each bind's security strength factor; 0 would mean a password in clear text.</summary>
    private static void AssertEveryPasswordWentOverTls(Slapd slapd)
    {
        var binds = System.Text.RegularExpressions.Regex.Matches(slapd.Output, @"BIND dn=""[^""]+"" mech=SIMPLE bind_ssf=0 ssf=(\d+)");
        Assert.NotEmpty(binds);
        Assert.All(binds, bind => Assert.True(int.Parse(bind.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 128, bind.Value));
    }

    private static Dictionary<string, string> UnreachableSettings(int port) => new()
    {
        ["Ldap__Enabled"] = "true",
        ["Ldap__Server"] = "127.0.0.1",
        ["Ldap__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ldap__Security"] = "StartTls",
        ["Ldap__UserDnTemplate"] = "uid={0},ou=people,dc=example,dc=org",
        ["Ldap__AllowUnmappedUsers"] = "true",
    };

    /// <summary>Creates the groups and mounts folder "prices" (one 300-byte file) read-only at /shared/prices for the first group.</summary>
    private static async Task SharedPricesAsync(IReadOnlyDictionary<string, string> settings, params string[] groups)
    {
        var prices = Directory.CreateDirectory(Path.Combine(settings["DataDirectory"], "exchange", "prices")).FullName;
        Clients.RandomFile(prices, "prices.csv", 300);
        foreach (var group in groups)
        {
            await GatehouseServer.CliAsync(settings, "group", "add", group);
        }

        await GatehouseServer.CliAsync(settings, "folder", "add", "prices", "--path", prices);
        await GatehouseServer.CliAsync(settings, "folder", "mount", "prices", "--group", groups[0], "--at", "/shared/prices", "--read-only");
    }

    private static async Task<string> UserLineAsync(GatehouseServer server, string user)
    {
        var (code, output) = await server.RunCliAsync(null, "user", "list");
        Assert.True(code == 0, output);
        return output.Split('\n').Single(line => line.StartsWith(user + " ", StringComparison.Ordinal));
    }
}
