namespace Gatehouse.EndToEnd.Tests;

/// <summary>Names and paths longer than the disk takes, through Python's ftplib against the real server and its log.</summary>
public sealed class LongPathTests
{
    [Fact]
    public async Task Too_long_names_and_paths_get_553_and_one_log_line_without_a_stack_trace_and_the_session_goes_on()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" });
        // 240 bytes each: 16 nested directories stay within PATH_MAX with the home's own path, a 17th would pass it.
        var name = new string('é', 120);
        var nest = Enumerable.Range(0, 16).SelectMany(_ => new[] { $"cmd MKD {name}", $"cmd CWD {name}" });
        // XMKD (MKD's alias) for the 17th, so that its reply has a step name of its own.
        var steps = await FtpSteps.RunAsync(server, "alice",
            [.. nest, "cmd PWD", $"cmd XMKD {name}", $"stor {name} 100000", "cmd NOOP", $"cmd MKD {new string('é', 200)}", "cmd CDUP"],
            tls: false);

        Assert.StartsWith("257", steps["cmd PWD"], StringComparison.Ordinal);
        Assert.StartsWith("553 Path too long: on the server's disk /", steps[$"cmd XMKD {name}"], StringComparison.Ordinal);
        Assert.EndsWith(" would be more than 4095 bytes long.", steps[$"cmd XMKD {name}"], StringComparison.Ordinal);
        Assert.StartsWith("553 Path too long", steps[$"stor {name} 100000"], StringComparison.Ordinal);
        Assert.StartsWith("200", steps["cmd NOOP"], StringComparison.Ordinal);
        Assert.Equal("553 File name too long: 400 bytes in UTF-8, the limit is 255.", steps[$"cmd MKD {new string('é', 200)}"]);
        Assert.StartsWith("250", steps["cmd CDUP"], StringComparison.Ordinal);

        var refusals = server.Output.Split('\n').Where(line => line.Contains("Path too long", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.Contains("Refused XMKD ", refusals[0], StringComparison.Ordinal);
        Assert.Contains("Refused STOR ", refusals[1], StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }
}
