namespace Gatehouse.EndToEnd.Tests;

/// <summary>Plain FTP behaviour (Tls:Policy Optional): urgent ABOR, Telnet IAC, active mode without TLS.</summary>
public sealed class TlsOptionalFtplibTests(TlsOptionalServerFixture fixture) : IClassFixture<TlsOptionalServerFixture>
{
    private readonly GatehouseServer _server = fixture.Server;

    [Theory]
    [InlineData("pasv")]
    [InlineData("port")]
    public async Task Plain_ftp_round_trip(string mode) =>
        await Clients.FtplibAsync(_server, "roundtrip", tls: false, extra: ["--mode", mode, "--name", $"plain-{mode}.bin"]);

    [Fact]
    public async Task Urgent_abor_replies_426_then_226_and_the_session_goes_on()
    {
        TestFiles.CreateBig(_server);
        await Clients.FtplibAsync(_server, "abort-download", tls: false);
    }

    [Fact]
    public async Task Abor_after_telnet_interrupt_and_synch_is_understood()
    {
        TestFiles.CreateBig(_server, "big.bin");
        await Clients.FtplibAsync(_server, "telnet-abort", tls: false);
    }

    [Fact]
    public async Task Aborted_new_upload_leaves_nothing_behind()
    {
        await Clients.FtplibAsync(_server, "abort-upload", tls: false, extra: ["--name", "aborted.bin", "--how", "abor"]);
        Assert.Empty(Directory.GetFiles(_server.Home("alice"), "aborted.bin*"));
        Assert.True(await _server.WaitForLogAsync("Upload /aborted.bin", TimeSpan.FromSeconds(5)));
        Assert.Contains(" /aborted.bin b _ i r alice ftp 0 * i", await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "xferlog")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explicit_tls_still_works_when_optional() =>
        await Clients.FtplibAsync(_server, "roundtrip", tls: true, extra: ["--name", "optional-tls.bin"]);
}
