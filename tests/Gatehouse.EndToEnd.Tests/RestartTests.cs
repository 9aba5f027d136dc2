namespace Gatehouse.EndToEnd.Tests;

/// <summary>REST before RETR through Python's ftplib against the real server and its files on disk.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Retr_after_rest_beyond_the_end_is_554_not_an_internal_error_and_the_session_goes_on()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" });
        Clients.RandomFile(server.Home("alice"), "ten.bin", 10);

        // ftplib's retrbinary(rest=N) sends TYPE I, EPSV, REST N and RETR.
        var steps = await FtpSteps.RunAsync(server, "alice", ["retr ten.bin 11", "cmd NOOP", "retr ten.bin 10", "retr ten.bin 4"], tls: false);

        Assert.StartsWith("554 Invalid REST parameter. Restart offset 11 is beyond the end of /ten.bin (10 bytes).", steps["retr ten.bin 11"], StringComparison.Ordinal);
        Assert.StartsWith("200", steps["cmd NOOP"], StringComparison.Ordinal);
        Assert.Matches("^226 .* bytes=0 ", steps["retr ten.bin 10"]);
        Assert.Matches("^226 .* bytes=6 ", steps["retr ten.bin 4"]);
        Assert.DoesNotContain("internal error", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", server.Output, StringComparison.Ordinal);
    }
}
