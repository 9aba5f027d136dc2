using System.Globalization;
using System.Net;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Taking a node out of service: the health check, <c>gatehouse drain</c> and SIGUSR1.</summary>
public sealed class DrainTests
{
    private static Dictionary<string, string> Node(string name, int healthPort) => new()
    {
        ["Tls__Policy"] = "Optional",
        ["Cluster__NodeName"] = name,
        ["Cluster__HealthPort"] = healthPort.ToString(CultureInfo.InvariantCulture),
        ["Limits__ShutdownGraceSeconds"] = "20",
    };

    /// <summary>The server reports ready when its FTP listeners are up; the health check starts just after them.</summary>
    private static async Task<GatehouseServer> StartNodeAsync(string name, int healthPort, string[]? listen = null)
    {
        var server = await GatehouseServer.StartAsync(Node(name, healthPort), listen: listen);
        if (!await server.WaitForLogAsync($"Health check on port {healthPort}", TimeSpan.FromSeconds(10)))
        {
            var output = server.Output;
            await server.DisposeAsync();
            Assert.Fail($"The health check did not start:\n{output}");
        }

        return server;
    }

    [Fact]
    public async Task A_drained_node_fails_its_health_check_refuses_new_sessions_lets_a_transfer_finish_then_stops()
    {
        var healthPort = GatehouseServer.FreePort();
        await using var server = await StartNodeAsync("node-a", healthPort);
        TestFiles.CreateBig(server, size: 16L << 20);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var health = new Uri($"http://127.0.0.1:{healthPort}/health");
        using (var serving = await http.GetAsync(health))
        {
            Assert.Equal(HttpStatusCode.OK, serving.StatusCode);
            Assert.Equal("serving node-a\n", await serving.Content.ReadAsStringAsync());
        }

        // A download that reads slowly for 4 s, then a NOOP on the same session, all while the node drains.
        var download = Clients.RunAsync(Clients.Python, [Clients.Script, "slow-download", "--port", server.ExplicitPort.ToString(CultureInfo.InvariantCulture), "--password", GatehouseServer.Password, "--seconds", "4"]);
        Assert.True(await server.WaitForLogAsync("Session started", TimeSpan.FromSeconds(10)), server.Output);
        await Task.Delay(1000);

        var (code, drained) = await server.RunCliAsync(null, "drain");
        Assert.True(code == 0, drained);
        Assert.Contains("Server node-a (process", drained, StringComparison.Ordinal);
        Assert.Contains($"GET /health on port {healthPort} answers 503", drained, StringComparison.Ordinal);
        Assert.True(await server.WaitForLogAsync("Draining: new sessions get 421", TimeSpan.FromSeconds(5)), server.Output);

        using (var draining = await http.GetAsync(health))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, draining.StatusCode);
            Assert.Equal("draining node-a\n", await draining.Content.ReadAsStringAsync());
        }

        using (var late = await RawControl.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.ExplicitPort)))
        {
            Assert.Equal("421 This server is going out of service; please connect again to be served by another.", await late.ReadReplyAsync());
        }

        var (downloadCode, output) = await download;
        Assert.True(downloadCode == 0, $"{output}\n--- server log ---\n{server.Output}");
        Assert.Contains("OK slow-download 16777216 bytes", output, StringComparison.Ordinal);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("Drained: the last session ended; stopping", server.Output, StringComparison.Ordinal);
        Assert.Contains("refused: this node is draining (gatehouse drain)", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_listens_where_the_ftp_server_does_even_on_both_wildcards()
    {
        // "::" next to "0.0.0.0" is an IPv6-only socket for FTP; the health check must not bind 0.0.0.0 twice.
        var healthPort = GatehouseServer.FreePort();
        await using var server = await StartNodeAsync("node-c", healthPort, listen: ["0.0.0.0", "::"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var host in new[] { "127.0.0.1", "[::1]" })
        {
            Assert.Equal("serving node-c\n", await http.GetStringAsync(new Uri($"http://{host}:{healthPort}/health")));
        }
    }

    [Fact]
    public async Task Drain_explains_when_no_server_runs_on_the_data_directory()
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-drain-").FullName;
        try
        {
            var (code, output) = await GatehouseServer.RunCliAsync(new Dictionary<string, string> { ["DataDirectory"] = data }, null, "drain");
            Assert.Equal(1, code);
            Assert.Contains("Cannot drain: no server is running on", output, StringComparison.Ordinal);
            Assert.Contains("gatehouse.pid does not exist", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Sigusr1_drains_an_idle_node_which_then_stops_at_once()
    {
        await using var server = await GatehouseServer.StartAsync(Node("node-b", GatehouseServer.FreePort()));
        var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "gatehouse.pid")), CultureInfo.InvariantCulture);
        using (var signal = System.Diagnostics.Process.Start("kill", ["-USR1", pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(exitCode == 0, $"exit code {exitCode}\n--- server log ---\n{server.Output}");
        Assert.Contains("Drained: the last session ended; stopping", server.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "gatehouse.pid")));
    }
}
