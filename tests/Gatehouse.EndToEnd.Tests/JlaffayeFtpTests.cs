namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Go's jlaffaye/ftp, as Debian ships it and many Go tools use it: with explicit TLS it starts TLS on each passive data
/// connection as soon as it has connected, and sends the transfer command only once that handshake is done.
/// </summary>
public sealed class JlaffayeFtpTests(JlaffayeFtpTests.DebugServerFixture fixture) : IClassFixture<JlaffayeFtpTests.DebugServerFixture>
{
    private const string Resumed = "Data connection secured with Tls13, resuming the control connection's session";
    private readonly GatehouseServer _server = fixture.Server;

    [Theory]
    [InlineData("epsv")]
    [InlineData("pasv")]
    public async Task Uploads_lists_and_downloads_securing_each_data_connection_before_its_command(string mode)
    {
        var name = $"go-{mode}.bin";
        var logged = _server.Output.Length;
        var (code, output) = await JlaffayeFtp.RunAsync(_server, name, 3_000_001, mode);

        Assert.True(code == 0, $"jlaffaye/ftp failed (exit {code}): {output}\n--- server log ---\n{Clients.Tail(_server.Output)}");
        Assert.Contains($"OK jlaffaye {mode}: stored, listed and read back 3000001 bytes", output, StringComparison.Ordinal);
        Assert.Equal(3_000_001, new FileInfo(Path.Combine(_server.Home("alice"), name)).Length);

        // Its three data connections (upload, listing, download) resumed the control connection's TLS session.
        var log = _server.Output[logged..];
        Assert.True(log.Split(Resumed).Length - 1 == 3, log);
    }

    /// <summary>A server with the secure defaults that logs each command and how each data connection was secured.</summary>
    public sealed class DebugServerFixture : IAsyncLifetime
    {
        public GatehouseServer Server { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Server = await GatehouseServer.StartAsync(new() { ["Logging__LogLevel__Gatehouse.Protocol.Sessions.FtpSession"] = "Debug" });

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }
}
