using System.Globalization;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// TLS on data connections as the strictest clients use it: every data connection resumes the control connection's
/// session (FileZilla refuses an upload otherwise), none receives a session ticket (a client that never reads its
/// upload connection would lose the end of the file: curl issue #6149), and an upload whose connection ends without
/// close_notify stores nothing.
/// </summary>
public sealed class TlsDataConnectionTests(TlsRequiredServerFixture fixture) : IClassFixture<TlsRequiredServerFixture>, IDisposable
{
    private readonly GatehouseServer _server = fixture.Server;
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-tlsdata-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("pasv", "1.3")]
    [InlineData("epsv", "1.3")]
    [InlineData("pasv", "1.2")]
    [InlineData("epsv", "1.2")]
    public async Task Uploads_downloads_and_listings_resume_the_control_session_and_get_no_tickets(string mode, string version)
    {
        string[] limit = version == "1.2" ? ["--tls-max", "1.2"] : [];
        var output = await Clients.TlsDataAsync(_server, "resumption", ["--mode", mode, "--size", "3000001", "--name", $"resumed-{mode}-{version}.bin", .. limit]);

        Assert.Contains($"OK resumption TLSv{version} {mode} 3 data connections, all resumed, no tickets", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_whose_data_connection_is_never_read_arrives_whole()
    {
        var output = await Clients.TlsDataAsync(_server, "unread-upload", "--size", (30 << 20).ToString(CultureInfo.InvariantCulture), "--name", "unread.bin");

        Assert.Contains("OK unread-upload", output, StringComparison.Ordinal);
        Assert.Equal(30 << 20, new FileInfo(Path.Combine(_server.Home("alice"), "unread.bin")).Length);
    }

    [Theory]
    [InlineData("truncated-upload")]
    [InlineData("abandoned-upload")]
    public async Task An_upload_that_ends_without_close_notify_is_refused_and_the_previous_version_kept(string scenario)
    {
        var output = await Clients.TlsDataAsync(_server, scenario, "--size", "300000", "--name", $"{scenario}.bin");

        Assert.Contains($"OK {scenario}", output, StringComparison.Ordinal);
        Assert.Contains("REPLY 426 The data connection ended without TLS close_notify", output, StringComparison.Ordinal);
        await WaitForLogAsync($"Upload /{scenario}.bin refused: its TLS data connection ended without close_notify");
        Assert.Equal(5000, new FileInfo(Path.Combine(_server.Home("alice"), $"{scenario}.bin")).Length);
    }

    [Fact]
    public async Task With_refusal_off_a_truncated_upload_is_stored_and_logged()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__RefuseTruncatedUploads"] = "false" });
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Path.Combine(AppContext.BaseDirectory, "clients", "tlsdata.py"), "truncated-upload", "--port", server.ExplicitPort.ToString(CultureInfo.InvariantCulture),
                "--password", GatehouseServer.Password, "--tls", "--cafile", server.CaFile, "--size", "300000", "--name", "kept.bin"]);

        Assert.True(code != 0, output);
        Assert.Contains("an upload that ended without close_notify was answered '226", output, StringComparison.Ordinal);
        Assert.Equal(300000, new FileInfo(Path.Combine(server.Home("alice"), "kept.bin")).Length);
        Assert.Contains("Upload /kept.bin stored although its TLS data connection ended without close_notify after 300000 bytes", server.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.3", null)]
    [InlineData("1.2", null)]
    [InlineData("1.3", "1M")]
    [InlineData("1.2", "1M")]
    public async Task Curl_uploads_lose_no_byte_at_full_speed_and_rate_limited(string version, string? rate)
    {
        var name = $"curl-{version}-{rate ?? "full"}.bin";
        var local = Clients.RandomFile(_work, name, 3_000_001);
        string[] limit = rate is null ? [] : ["--limit-rate", rate];
        var output = await Clients.CurlAsync(_server, [.. limit, "--verbose", "--ssl-reqd", "--tls-max", version, "-T", local, $"ftp://127.0.0.1:{_server.ExplicitPort}/{name}"]);

        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(Path.Combine(_server.Home("alice"), name)));
        // curl starts TLS on the data connection as soon as it is connected and sends STOR without waiting for it, so
        // the handshake may be logged before or after "> STOR": the data connection's part starts where curl opens it.
        var dataConnection = output[output.IndexOf("Connect data stream passively", StringComparison.Ordinal)..];
        Assert.Contains("SSL re-using session ID", output, StringComparison.Ordinal);
        Assert.Contains($"SSL connection using TLSv{version}", dataConnection, StringComparison.Ordinal);
        if (version == "1.3")
        {
            // A TLS 1.2 ticket is part of the handshake, which curl reads; a TLS 1.3 one would come after it, unread.
            Assert.DoesNotContain("Newsession Ticket", dataConnection, StringComparison.Ordinal);
        }
    }

    private async Task WaitForLogAsync(string text)
    {
        // The reply is sent after the log line is written, but the server's output reaches the test through a pipe.
        for (var waited = 0; waited < 50 && !_server.Output.Contains(text, StringComparison.Ordinal); waited++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(text, _server.Output, StringComparison.Ordinal);
    }
}
