using System.Globalization;
using System.Text;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Metrics:OtlpEndpoint: the server pushes its metrics to a collector, with the admin listener off.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Metrics_are_pushed_as_otlp_http_protobuf_to_the_configured_collector_without_the_admin_listener()
    {
        await using var collector = new WebhookReceiver();
        await using var server = await GatehouseServer.StartAsync(new()
        {
            ["Metrics__OtlpEndpoint"] = $"http://127.0.0.1:{collector.Port}",
            ["Metrics__OtlpIntervalSeconds"] = "1",
        });
        Assert.DoesNotContain("Admin API listening", server.Output, StringComparison.Ordinal);
        await Clients.FtplibAsync(server, "roundtrip", tls: true, extra: ["--size", 100_000.ToString(CultureInfo.InvariantCulture)]);

        // The protobuf payload carries instrument names as plain strings.
        static bool Carries(WebhookReceiver.Request request, string name) => Encoding.UTF8.GetString(request.Body).Contains(name, StringComparison.Ordinal);
        Assert.True(
            await collector.WaitForAsync(requests => requests.Any(request => Carries(request, "gatehouse.transfer.bytes")), TimeSpan.FromSeconds(20)),
            $"no OTLP export with gatehouse.transfer.bytes arrived; {collector.Requests.Count} requests.\n{Clients.Tail(server.Output)}");
        var export = collector.Requests.First(request => Carries(request, "gatehouse.transfer.bytes"));
        Assert.StartsWith("POST /v1/metrics ", export.RequestLine, StringComparison.Ordinal);
        Assert.Equal("application/x-protobuf", export.Headers["Content-Type"]);
        Assert.True(Carries(export, "gatehouse.logins") && Carries(export, "gatehouse.sessions.active"), "other instruments missing from the export");
    }

    [Fact]
    public async Task A_bad_otlp_endpoint_stops_start_up_naming_the_key()
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-otlp-");
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["DataDirectory"] = data.FullName,
                ["Ftp__ExplicitPort"] = GatehouseServer.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Metrics__OtlpEndpoint"] = "collector:4318",
            };
            var (code, output) = await GatehouseServer.RunCliAsync(settings, null, "serve");
            Assert.True(code != 0, output);
            Assert.Contains("Metrics:OtlpEndpoint: 'collector:4318' is not an http:// or https:// URL", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Listening for", output, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
