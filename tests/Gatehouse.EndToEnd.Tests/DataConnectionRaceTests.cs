using Xunit.Abstractions;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// A program at the partner's own address (the same NAT, the same host) scans the passive range with TLS handshakes
/// while the partner's client opens its data connection 50 ms after its command, or 50 ms after PASV and before its
/// command (clients/datarace.py). Whatever the
/// attacker manages, the partner must never be told that the transfer succeeded when the attacker took the download
/// or supplied the upload: the port stays watched during the transfer, and a transfer whose TLS did not resume the
/// control session waits out Ftp:DataRaceWindowMilliseconds before it is stored or reported. With
/// Tls:DataConnectionResumption=Required the attacker, which cannot resume the partner's TLS session, gets nothing.
/// </summary>
[Collection(LoadTestCollection.Name)]
public sealed partial class DataConnectionRaceTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("download", "1.3", false)]
    [InlineData("download", "1.2", false)]
    [InlineData("upload", "1.3", false)]
    [InlineData("upload", "1.2", false)]
    [InlineData("download", "1.3", true)]
    [InlineData("upload", "1.2", true)]
    public async Task A_program_racing_the_partner_to_the_passive_port_never_goes_unnoticed(string direction, string version, bool connectFirst)
    {
        await using var server = await GatehouseServer.StartAsync(passivePorts: 4);
        var output = await RaceAsync(server, direction, version, connectFirst ? ["--connect-first"] : []);
        log.WriteLine(output);

        var totals = Totals().Match(output);
        Assert.True(totals.Success, output);
        var raced = int.Parse(totals.Groups["raced"].Value, CultureInfo.InvariantCulture);
        var loud = int.Parse(totals.Groups["loud"].Value, CultureInfo.InvariantCulture);
        Assert.True(raced > 0, $"the attacker never reached the port first, so nothing was tested:\n{output}");
        Assert.True(loud >= raced, output);
        Assert.Contains("Security: a second data connection", server.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("download", "1.3")]
    [InlineData("download", "1.2")]
    [InlineData("upload", "1.3")]
    [InlineData("upload", "1.2")]
    public async Task With_data_TLS_bound_to_the_control_session_the_racing_program_gets_and_plants_nothing(string direction, string version)
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__DataConnectionResumption"] = "Required" }, passivePorts: 4);
        var output = await RaceAsync(server, direction, version, "--resume", "--bound");
        log.WriteLine(output);

        // datarace.py has failed if the attacker got or planted anything; the server saw it try, at least once, either
        // as a connection that did not resume the control session or as a second connection to a taken port.
        Assert.Matches(Totals(), output);
        Assert.Contains("Security: ", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_race_window_a_fast_download_to_the_attacker_is_reported_as_success()
    {
        // The window is what catches a client that connects after its command: this pins down that the test above
        // really exercises it (the port watch alone cannot see a partner who arrives after the last byte).
        await using var server = await GatehouseServer.StartAsync(
            new() { ["Ftp__DataRaceWindowMilliseconds"] = "0" }, passivePorts: 4);

        var (code, output) = await Clients.RunAsync(Clients.Python, Arguments(server, "download", "1.3"), TimeSpan.FromMinutes(2));

        Assert.True(code != 0 && output.Contains("went unnoticed", StringComparison.Ordinal), output);
    }

    private static async Task<string> RaceAsync(GatehouseServer server, string direction, string version, params string[] extra)
    {
        var (code, output) = await Clients.RunAsync(Clients.Python, [.. Arguments(server, direction, version), .. extra], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"datarace.py {direction} failed (exit {code}):\n{output}\n--- server log ---\n{Clients.Tail(server.Output)}");
        return output;
    }

    private static string[] Arguments(GatehouseServer server, string direction, string version) =>
    [
        Path.Combine(AppContext.BaseDirectory, "clients", "datarace.py"), direction,
        "--port", server.ExplicitPort.ToString(CultureInfo.InvariantCulture), "--password", GatehouseServer.Password,
        "--cafile", server.CaFile, "--range", server.Settings["Ftp__PassivePorts"], "--tls-max", version == "1.2" ? "1.2" : "", "--tries", "8",
    ];

    [GeneratedRegex(@"tries \d+ raced (?<raced>\d+) loud (?<loud>\d+)")]
    private static partial Regex Totals();
}
