using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Many deliveries in a row to a receiver built on Python's http.server that keeps connections alive
/// (clients/webhook_receiver.py): a kept-alive connection the receiver closes just as a delivery is sent on it must not
/// fail the delivery.
/// </summary>
public sealed class WebhookKeepAliveTests : IDisposable
{
    private const int Uploads = 120;
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("gatehouse-keepalive-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task Every_delivery_to_a_keep_alive_receiver_that_closes_connections_under_it_succeeds_at_its_first_attempt()
    {
        var portFile = Path.Combine(_work.FullName, "port");
        var log = Path.Combine(_work.FullName, "requests.log");
        // Every 10th request on a kept-alive connection meets the connection closed without an answer, as when the
        // receiver closes an idle connection just as a delivery is sent on it.
        using var receiver = Process.Start(Clients.StartInfo(Clients.Python, [Path.Combine(AppContext.BaseDirectory, "clients", "webhook_receiver.py"), "--port-file", portFile, "--log", log, "--close-every", "10"]))!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!File.Exists(portFile) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            var port = int.Parse(await File.ReadAllTextAsync(portFile), CultureInfo.InvariantCulture);
            await using var server = await GatehouseServer.StartAsync(
                new()
                {
                    ["Events__WebhookAllowedHosts__0"] = $"127.0.0.1:{port}",
                    ["Tls__Policy"] = "Optional",
                    ["Events__RetryBaseSeconds"] = "1",
                },
                prepare: settings => GatehouseServer.CliAsync(settings, "rule", "add", "hook", "--on", "upload", "--webhook", $"http://127.0.0.1:{port}/hook"));

            await FtpSteps.RunAsync(server, "alice", Enumerable.Range(0, Uploads).Select(i => $"stor /f{i}.bin 10"), tls: false);

            deadline = DateTime.UtcNow.AddSeconds(90);
            while (Lines(log).Count < Uploads && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            var attempts = Lines(log).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("attempt").GetInt32()).ToList();
            Assert.True(attempts.Count >= Uploads, $"{attempts.Count} of {Uploads} delivered\n{Clients.Tail(server.Output)}");
            var failed = string.Join('\n', server.Output.Split('\n').Where(line => line.Contains("could not deliver", StringComparison.Ordinal)));
            Assert.True(attempts.All(attempt => attempt == 1), $"{attempts.Count(attempt => attempt > 1)} deliveries needed a retry:\n{failed}");
            Assert.DoesNotContain("ended prematurely", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            await Clients.KillAsync(receiver);
        }
    }

    private static List<string> Lines(string file) =>
        File.Exists(file) ? [.. File.ReadAllLines(file).Where(line => line.Length > 0)] : [];
}
