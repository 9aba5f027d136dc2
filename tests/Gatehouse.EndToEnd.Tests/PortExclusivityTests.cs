using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The ports of a server are its own: serve refuses to start on a port another process listens on, rather than
/// sharing it and getting some of its connections, and a restart gets its ports back at once.
/// </summary>
public sealed class PortExclusivityTests
{
    [Theory]
    [InlineData("Ftp:ExplicitPort")]
    [InlineData("Ftp:ImplicitPort")]
    [InlineData("Cluster:HealthPort")]
    [InlineData("Admin:Port")]
    public async Task Serve_stops_with_one_message_naming_the_setting_when_another_process_listens_on_its_port(string key)
    {
        var port = GatehouseServer.FreePort();
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.Bind(new IPEndPoint(IPAddress.Loopback, port));
        other.Listen();
        var data = Directory.CreateTempSubdirectory("gatehouse-e2e-").FullName;
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["DataDirectory"] = data,
                ["Ftp__ListenAddresses__0"] = "127.0.0.1",
                ["Ftp__ExplicitPort"] = GatehouseServer.FreePort().ToString(CultureInfo.InvariantCulture),
                [key.Replace(":", "__", StringComparison.Ordinal)] = port.ToString(CultureInfo.InvariantCulture),
            };
            var (code, output) = await GatehouseServer.RunCliAsync(settings, null, "serve");
            Assert.True(code == 1, output);
            Assert.Contains($"Gatehouse could not start: {key}: port {port} on 127.0.0.1 is already in use by another process; stop it or change {key}.", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);

            // Refused before it set anything up.
            Assert.DoesNotContain("No accounts existed", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_server_on_the_same_port_does_not_start_and_the_first_keeps_its_clients()
    {
        await using var first = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" });
        var data = Directory.CreateTempSubdirectory("gatehouse-e2e-").FullName;
        try
        {
            var copy = new Dictionary<string, string>(first.Settings) { ["DataDirectory"] = data };
            var (code, output) = await GatehouseServer.RunCliAsync(copy, null, "serve");
            Assert.True(code == 1, output);
            Assert.Contains($"Ftp:ExplicitPort: port {first.ExplicitPort} on 127.0.0.1 is already in use by another process", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }

        for (var i = 0; i < 3; i++)
        {
            await Clients.FtplibAsync(first, "roundtrip", tls: false, extra: ["--size", "100"]);
        }
    }

    [Fact]
    public async Task A_server_restarted_at_once_listens_again_while_its_last_connection_is_in_TIME_WAIT()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" });
        using (var control = await RawControl.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.ExplicitPort)))
        {
            await control.LoginAsync();
            Assert.StartsWith("221", await control.CommandAsync("QUIT"), StringComparison.Ordinal);

            // The server closes first, so the connection stays in TIME_WAIT on the server's side of the port.
            Assert.Equal(string.Empty, await control.ReadReplyAsync());
        }

        var (_, timeWait) = await Clients.RunAsync("ss", ["-tnH", "state", "time-wait", $"( sport = :{server.ExplicitPort} )"]);
        Assert.False(string.IsNullOrWhiteSpace(timeWait), "No connection of the control port is in TIME_WAIT.");

        await server.RestartAsync();
        await Clients.FtplibAsync(server, "roundtrip", tls: false, extra: ["--size", "100"]);
    }
}
