using System.Diagnostics;
using System.Net;
using Gatehouse.Tests.Shared;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Password spraying from many loopback addresses against one account: per-address bans never see it, the per-account
/// throttle does. Guesses are plain FTP on one connection each, as a spraying tool makes them.
/// </summary>
public sealed class PasswordSprayTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    /// <summary>The first spacing is 200 ms, the longest 2 s; bans are set so high that only the throttle acts.</summary>
    private static Dictionary<string, string> Settings() => new()
    {
        ["Tls__Policy"] = "Optional",
        ["Bans__Threshold"] = "100000",
        ["Bans__AccountFreeFailures"] = "5",
        ["Bans__AccountDelayMilliseconds"] = "200",
        ["Bans__AccountMaxDelaySeconds"] = "2",
    };

    [Fact]
    public async Task A_spray_from_24_addresses_is_spaced_out_and_a_partner_from_a_clean_address_logs_in_at_once()
    {
        await using var server = await GatehouseServer.StartAsync(Settings());
        var sprayers = Enumerable.Range(10, 24).Select(i => IPAddress.Parse($"127.0.3.{i}")).ToList();

        using var inFlight = InFlight();
        var clock = Stopwatch.StartNew();
        var replies = (await Task.WhenAll(sprayers.Select(address => GuessRepeatedlyAsync(server, address, "alice", 4, inFlight)))).SelectMany(list => list).ToList();
        clock.Stop();

        var checkedGuesses = replies.Count(reply => reply.StartsWith("530", StringComparison.Ordinal));
        var refused = replies.Count(reply => reply.StartsWith("421 Too many failed logins for this user name", StringComparison.Ordinal));
        output.WriteLine($"{replies.Count} guesses in {clock.Elapsed.TotalSeconds:F1} s: {checkedGuesses} checked, {refused} refused unchecked");
        Assert.Equal(replies.Count, checkedGuesses + refused);

        // Every address's first guess is clean and answered at once (24); after that the name's answers come one at a
        // time, 0.2, 0.4, 0.8, 1.6 s and then 2 s apart, so in the time the spray took at most this many more were checked.
        var spacedAllowance = 5 + (int)(clock.Elapsed.TotalSeconds / 2) + 1;
        Assert.True(checkedGuesses <= sprayers.Count + spacedAllowance, $"{checkedGuesses} guesses checked in {clock.Elapsed.TotalSeconds:F1} s\n{server.Output}");
        Assert.True(refused > 0, server.Output);
        Assert.Contains("Login for 'alice' held ", server.Output, StringComparison.Ordinal);
        Assert.Contains("Login for 'alice' refused without a password check", server.Output, StringComparison.Ordinal);

        // The partner's address has no failures for the name: answered without being held, the spray notwithstanding.
        var partner = await GuessAsync(server, IPAddress.Parse("127.0.3.100"), "alice", GatehouseServer.Password);
        Assert.StartsWith("230", partner, StringComparison.Ordinal);
        Assert.DoesNotContain(Lines(server, "client=127.0.3.100:"), line => line.Contains("Login for 'alice' held", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_name_that_does_not_exist_is_held_and_refused_as_an_existing_one_is()
    {
        await using var server = await GatehouseServer.StartAsync(Settings());
        var sprayers = Enumerable.Range(10, 12).Select(i => IPAddress.Parse($"127.0.4.{i}")).ToList();

        using var inFlight = InFlight();
        var replies = (await Task.WhenAll(sprayers.Select(address => GuessRepeatedlyAsync(server, address, "no-such-user", 3, inFlight)))).SelectMany(list => list).ToList();

        Assert.All(replies, reply => Assert.True(reply is "530 Login incorrect." || reply.StartsWith("421 Too many failed logins for this user name", StringComparison.Ordinal), reply));
        Assert.Contains("Login for 'no-such-user' held ", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_on_one_node_hold_guesses_on_the_other_and_a_clean_address_still_logs_in()
    {
        // A first spacing of 3 s: the guess on the second node is held even if the machine is slow to send it.
        var settings = Settings();
        settings["Bans__AccountDelayMilliseconds"] = "3000";
        settings["Bans__AccountMaxDelaySeconds"] = "20";
        settings["AccountStore__Provider"] = "PostgreSql";
        settings["AccountStore__ConnectionString"] = postgres.CreateDatabase();
        await using var first = await GatehouseServer.StartAsync(settings);
        await using var second = await GatehouseServer.StartAsync(settings, users: []);

        // Six wrong passwords for alice through the first node, each from an address of its own (none is held: all clean).
        for (var i = 10; i < 16; i++)
        {
            Assert.Equal("530 Login incorrect.", await GuessAsync(first, IPAddress.Parse($"127.0.5.{i}"), "alice", "guess"));
        }

        Assert.DoesNotContain("Login for 'alice' held", first.Output, StringComparison.Ordinal);

        // The second node has seen none of them, yet holds the next guess from one of those addresses.
        Assert.Equal("530 Login incorrect.", await GuessAsync(second, IPAddress.Parse("127.0.5.10"), "alice", "guess"));
        Assert.Contains(Lines(second, "client=127.0.5.10:"), line => line.Contains("Login for 'alice' held ", StringComparison.Ordinal) && line.Contains("6 failed logins for this name from 6 addresses", StringComparison.Ordinal));

        Assert.StartsWith("230", await GuessAsync(second, IPAddress.Parse("127.0.5.100"), "alice", GatehouseServer.Password), StringComparison.Ordinal);
        Assert.DoesNotContain(Lines(second, "client=127.0.5.100:"), line => line.Contains("Login for 'alice' held", StringComparison.Ordinal));
    }

    private static IEnumerable<string> Lines(GatehouseServer server, string text) =>
        server.Output.Split('\n').Where(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Eight guesses in flight at most: each costs a password check, and a loaded test machine must answer every one
    /// within the test client's 15 s.
    /// </summary>
    private static SemaphoreSlim InFlight() => new(8);

    /// <summary>Wrong passwords from <paramref name="source"/>, one connection each, one after the other.</summary>
    private static async Task<List<string>> GuessRepeatedlyAsync(GatehouseServer server, IPAddress source, string user, int guesses, SemaphoreSlim inFlight)
    {
        var replies = new List<string>();
        for (var i = 0; i < guesses; i++)
        {
            await inFlight.WaitAsync();
            try
            {
                replies.Add(await GuessAsync(server, source, user, $"guess-{source}-{i}"));
            }
            finally
            {
                inFlight.Release();
            }
        }

        return replies;
    }

    private static async Task<string> GuessAsync(GatehouseServer server, IPAddress source, string user, string password)
    {
        using var control = await RawControl.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.ExplicitPort), source);
        Assert.StartsWith("220", await control.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("331", await control.CommandAsync($"USER {user}"), StringComparison.Ordinal);
        return await control.CommandAsync($"PASS {password}");
    }
}
