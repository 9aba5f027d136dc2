using System.Globalization;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Tls:DataConnectionResumption and the data-tls-resumption setting: a data connection must resume its own control
/// connection's TLS session, proof that it comes from the client that logged in. The partners' clients that resume
/// (curl, lftp) keep working; a new session or another connection's session is refused with 425 and the session goes on.
/// </summary>
public sealed class DataTlsResumptionTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-binding-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("1.3")]
    [InlineData("1.2")]
    public async Task Required_refuses_a_new_session_and_another_connections_session_and_takes_the_clients_own(string version)
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__DataConnectionResumption"] = "Required" });

        var output = await Clients.TlsDataAsync(server, "required-binding", version == "1.2" ? ["--tls-max", "1.2"] : []);

        Assert.Contains($"OK required-binding TLSv{version}", output, StringComparison.Ordinal);
        Assert.Contains("Security: data connection from", server.Output, StringComparison.Ordinal);
        Assert.Contains("it did not resume this control connection's TLS session, which this account requires", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sticky_takes_new_sessions_until_one_data_connection_resumed()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__DataConnectionResumption"] = "Sticky" });

        var output = await Clients.TlsDataAsync(server, "sticky-binding");

        Assert.Contains("OK sticky-binding", output, StringComparison.Ordinal);
        Assert.Contains("as an earlier data connection of this session did", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_accounts_own_setting_requires_resumption_where_the_server_does_not()
    {
        await using var server = await GatehouseServer.StartAsync(prepare: async settings =>
        {
            var (code, output) = await GatehouseServer.RunCliAsync(settings, null, "user", "set", "alice", "--data-tls-resumption", "required");
            Assert.True(code == 0, output);
        });

        var output = await Clients.TlsDataAsync(server, "required-binding");

        Assert.Contains("OK required-binding", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--tlsv1.3")]
    [InlineData("--tls-max 1.2")]
    public async Task Curl_uploads_and_downloads_under_required_resumption(string version)
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__DataConnectionResumption"] = "Required" });
        var file = Clients.RandomFile(_work, "curl.bin", 1_000_003);
        string[] tls = ["--ssl-reqd", .. version.Split(' ')];
        var url = $"ftp://127.0.0.1:{server.ExplicitPort.ToString(CultureInfo.InvariantCulture)}/curl.bin";

        await Clients.CurlAsync(server, [.. tls, "-T", file, url]);
        await Clients.CurlAsync(server, [.. tls, "-o", Path.Combine(_work, "back.bin"), url]);

        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(_work, "back.bin")));
        Assert.DoesNotContain("Security: data connection from", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lftp_puts_lists_and_gets_in_one_session_under_required_resumption()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__DataConnectionResumption"] = "Required" });
        var file = Clients.RandomFile(_work, "lftp.bin", 700_001);
        var settings = string.Join("; ",
            $"set ssl:ca-file {server.CaFile}", "set ftp:ssl-force true", "set ftp:ssl-protect-data true", "set ftp:ssl-protect-list true",
            "set net:max-retries 1", "set net:timeout 20", "set cmd:fail-exit true");

        var (code, output) = await Clients.RunAsync("lftp",
            ["-u", $"alice,{GatehouseServer.Password}", "-p", server.ExplicitPort.ToString(CultureInfo.InvariantCulture),
                "-e", $"{settings}; put lftp.bin -o up.bin; ls; get up.bin -o back.bin; bye", "127.0.0.1"],
            TimeSpan.FromMinutes(3), _work);

        Assert.True(code == 0, $"lftp failed (exit {code}): {output}\n--- server log ---\n{Clients.Tail(server.Output)}");
        Assert.Contains("up.bin", output, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(_work, "back.bin")));
        Assert.DoesNotContain("Security: data connection from", server.Output, StringComparison.Ordinal);
    }
}
