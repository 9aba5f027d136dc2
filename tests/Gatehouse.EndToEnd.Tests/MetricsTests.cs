using System.Globalization;
using System.Net;
using System.Text.Json;
using static Gatehouse.EndToEnd.Tests.PrometheusText;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>The metrics (docs/metrics.md) read back from the admin API's scrape endpoint after real clients did real work.</summary>
public sealed class MetricsTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Transfers_logins_tls_handshakes_and_sessions_are_counted_exactly()
    {
        await using var api = await AdminApi.StartAsync(new() { ["Metrics__StoreReadSeconds"] = "1" });
        var port = api.Server.ExplicitPort.ToString(CultureInfo.InvariantCulture);

        // A client that asks for TLS and then says nothing: the handshake times out (Tls handshake time-out, 15 s),
        // while the rest of the test runs.
        var silent = Clients.RunAsync(Clients.Python, ["-c", SilentAfterAuthTls, port], TimeSpan.FromSeconds(60));

        const int size = 3 * 1024 * 1024 + 7;
        await Clients.FtplibAsync(api.Server, "roundtrip", tls: true, extra: ["--size", size.ToString(CultureInfo.InvariantCulture)]);
        var (code, wrong) = await Clients.RunAsync("curl", ["--silent", "--max-time", "20", "--user", "alice:wrong-password", $"ftp://127.0.0.1:{port}/"]);
        Assert.True(code != 0, wrong);
        var (garbageCode, garbage) = await Clients.RunAsync(Clients.Python, ["-c", PlainTextAfterAuthTls, port], TimeSpan.FromSeconds(30));
        Assert.True(garbageCode == 0, garbage);

        // curl without --cacert does not trust the self-signed certificate and ends the handshake with an alert.
        var (untrustingCode, untrusting) = await Clients.RunAsync("curl", ["--silent", "--show-error", "--max-time", "20", "--ssl-reqd", "--user", $"alice:{GatehouseServer.Password}", $"ftp://127.0.0.1:{port}/"]);
        Assert.True(untrustingCode != 0, untrusting);

        var text = await ScrapeUntilAsync(api, scraped =>
            Sum(scraped, "gatehouse_session_duration_seconds_count", "logged_in=\"true\"") >= 1
            && Sum(scraped, "gatehouse_tls_handshake_failures_total", "reason=\"protocol\"") >= 1
            && Sum(scraped, "gatehouse_tls_handshake_failures_total", "reason=\"certificate\"") >= 1, Settle);

        // Exactly the file's size each way: the roundtrip is the only transfer, and SIZE and the listing-free script move nothing else.
        Assert.Equal(size, Sum(text, "gatehouse_transfer_bytes_total", "direction=\"upload\""));
        Assert.Equal(size, Sum(text, "gatehouse_transfer_bytes_total", "direction=\"download\""));
        Assert.Equal(1, Sum(text, "gatehouse_transfer_duration_seconds_count", "direction=\"upload\"", "outcome=\"complete\""));
        Assert.Equal(1, Sum(text, "gatehouse_transfer_duration_seconds_count", "direction=\"download\"", "outcome=\"complete\""));
        Assert.Equal(1, Sum(text, "gatehouse_logins_total", "result=\"success\""));
        Assert.Equal(1, Sum(text, "gatehouse_logins_total", "result=\"failure\""));

        // One control handshake (AUTH TLS) and one per data connection under PROT P (upload, download).
        Assert.Equal(1, Sum(text, "gatehouse_tls_handshake_duration_seconds_count", "channel=\"control\""));
        Assert.Equal(2, Sum(text, "gatehouse_tls_handshake_duration_seconds_count", "channel=\"data\""));
        Assert.Equal(1, Sum(text, "gatehouse_tls_handshake_failures_total", "channel=\"control\"", "reason=\"protocol\""));
        Assert.Equal(1, Sum(text, "gatehouse_tls_handshake_failures_total", "channel=\"control\"", "reason=\"certificate\""));

        // Sessions: the roundtrip's QUIT, curl's failed login and refused certificate and the plain-text client have ended; the silent one is still open.
        Assert.Equal(1, Sum(text, "gatehouse_session_duration_seconds_count", "logged_in=\"true\""));
        Assert.True(Sum(text, "gatehouse_session_duration_seconds_count", "logged_in=\"false\"") >= 3, text);
        Assert.True(Sum(text, "gatehouse_session_duration_seconds_sum", "logged_in=\"true\"") > 0, text);
        Assert.Equal(1, Sum(text, "gatehouse_sessions_active"));
        Assert.Equal(0, Sum(text, "gatehouse_passive_ports_used"));
        Assert.Equal(40, Sum(text, "gatehouse_passive_ports_limit"));
        Assert.Equal(0, Sum(text, "gatehouse_bans_active"));
        Assert.Equal(1, Sum(text, "gatehouse_store_reachable"));
        Assert.Equal(0, Sum(text, "gatehouse_events_pending"));
        Assert.Equal(0, Sum(text, "gatehouse_events_held"));
        Assert.DoesNotContain("user=\"", text, StringComparison.Ordinal);

        // Quota usage comes from the store, read at most every Metrics:StoreReadSeconds (1 s here).
        text = await ScrapeUntilAsync(api, scraped => Sum(scraped, "gatehouse_quota_usage_bytes", "area=\"home\"") >= size, Settle);
        Assert.True(Sum(text, "gatehouse_quota_usage_bytes", "area=\"home\"") >= size, text);

        var (silentCode, silentOutput) = await silent;
        Assert.True(silentCode == 0, silentOutput);
        text = await ScrapeUntilAsync(api, scraped => Sum(scraped, "gatehouse_tls_handshake_failures_total", "reason=\"timeout\"") >= 1, Settle);
        Assert.Equal(1, Sum(text, "gatehouse_tls_handshake_failures_total", "channel=\"control\"", "reason=\"timeout\""));

        // A read key may scrape too; anonymous not.
        using (var read = await api.SendAsync(HttpMethod.Get, "/metrics", api.Keys["read"]))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using var anonymous = await api.SendAsync(HttpMethod.Get, "/metrics", key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.DoesNotContain("gatehouse_", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_upload_and_download_show_in_the_counters_the_passive_ports_and_the_session_list_while_they_run()
    {
        await using var api = await AdminApi.StartAsync();
        const long downloadSize = 32L << 20;
        const int uploadSize = 4 << 20;
        TestFiles.CreateBig(api.Server, size: downloadSize);
        var port = api.Server.ExplicitPort.ToString(CultureInfo.InvariantCulture);
        var download = Clients.RunAsync(Clients.Python, [Clients.Script, "slow-download", "--port", port, "--user", "alice", "--password", GatehouseServer.Password, "--seconds", "10", "--chunk", "131072"]);
        var upload = Clients.RunAsync(Clients.Python, [Clients.Script, "slow-upload", "--port", port, "--user", "alice", "--password", GatehouseServer.Password, "--name", "slow.bin", "--size", uploadSize.ToString(CultureInfo.InvariantCulture), "--chunk", "131072"]);

        var seen = new Dictionary<string, List<JsonElement>> { ["upload"] = [], ["download"] = [] };
        var counted = new Dictionary<string, List<double>> { ["upload"] = [], ["download"] = [] };
        double portsInUse = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !(download.IsCompleted && upload.IsCompleted))
        {
            foreach (var session in (await api.GetJsonAsync("/api/v1/sessions")).EnumerateArray())
            {
                if (session.GetProperty("transfer") is { ValueKind: JsonValueKind.Object } transfer)
                {
                    seen[transfer.GetProperty("direction").GetString()!].Add(transfer.Clone());
                }
            }

            var text = await ScrapeAsync(api);
            portsInUse = Math.Max(portsInUse, Sum(text, "gatehouse_passive_ports_used"));
            foreach (var direction in counted.Keys)
            {
                counted[direction].Add(Sum(text, "gatehouse_transfer_bytes_total", $"direction=\"{direction}\""));
            }

            await Task.Delay(400);
        }

        var (downloadCode, downloadOutput) = await download;
        Assert.True(downloadCode == 0, downloadOutput);
        var (uploadCode, uploadOutput) = await upload;
        Assert.True(uploadCode == 0, uploadOutput);

        foreach (var (direction, total, path) in new[] { ("upload", (long)uploadSize, "/slow.bin"), ("download", downloadSize, "/big.bin") })
        {
            var views = seen[direction];
            Assert.True(views.Count >= 3, $"{direction}: seen {views.Count} times in /api/v1/sessions");
            Assert.All(views, view => Assert.Equal(path, view.GetProperty("path").GetString()));
            var bytes = views.Select(view => view.GetProperty("bytes").GetInt64()).ToList();
            Assert.True(bytes.First() < total && bytes.Last() > bytes.First() && bytes.Last() <= total, $"{direction}: bytes did not grow within the transfer: {string.Join(", ", bytes)}");
            Assert.Contains(views, view => view.GetProperty("bytesPerSecond").GetDouble() > 0);

            // The counter moves during the transfer, not only at its end: a value strictly between 0 and the size.
            Assert.Contains(counted[direction], value => value > 0 && value < total);
        }

        Assert.All(seen["download"], view => Assert.Equal(downloadSize, view.GetProperty("size").GetInt64()));
        Assert.All(seen["upload"], view => Assert.Equal(JsonValueKind.Null, view.GetProperty("size").ValueKind));
        Assert.Equal(2, portsInUse);

        var after = await ScrapeUntilAsync(api, scraped => Sum(scraped, "gatehouse_sessions_active") == 0, Settle);
        Assert.Equal(uploadSize, Sum(after, "gatehouse_transfer_bytes_total", "direction=\"upload\""));
        Assert.Equal(downloadSize, Sum(after, "gatehouse_transfer_bytes_total", "direction=\"download\""));
        Assert.Equal(0, Sum(after, "gatehouse_passive_ports_used"));
        Assert.Equal(2, Sum(after, "gatehouse_session_duration_seconds_count", "logged_in=\"true\""));
    }

    [Fact]
    public async Task Per_user_series_appear_only_when_enabled_and_beyond_the_limit_share_the_user_other()
    {
        await using var api = await AdminApi.StartAsync(
            new() { ["Metrics__PerUser"] = "true", ["Metrics__PerUserLimit"] = "1", ["Metrics__StoreReadSeconds"] = "1" },
            prepare: settings => GatehouseServer.RunCliAsync(settings, GatehouseServer.Password + "\n", "user", "add", "bob", "--password-stdin"));
        var port = api.Server.ExplicitPort.ToString(CultureInfo.InvariantCulture);
        foreach (var (user, size) in new[] { ("alice", 100_000), ("bob", 200_000) })
        {
            var (code, output) = await Clients.RunAsync(Clients.Python, [Clients.Script, "upload", "--port", port, "--user", user, "--password", GatehouseServer.Password, "--name", "file.bin", "--size", size.ToString(CultureInfo.InvariantCulture)]);
            Assert.True(code == 0 && output.Contains("REPLY 226", StringComparison.Ordinal), output);
        }

        var text = await ScrapeUntilAsync(api, scraped => Sum(scraped, "gatehouse_quota_usage_bytes", "user=\"other\"") >= 200_000, Settle);
        Assert.Equal(100_000, Sum(text, "gatehouse_transfer_bytes_total", "direction=\"upload\"", "user=\"alice\""));
        Assert.Equal(200_000, Sum(text, "gatehouse_transfer_bytes_total", "direction=\"upload\"", "user=\"other\""));
        Assert.DoesNotContain("user=\"bob\"", text, StringComparison.Ordinal);
        Assert.Equal(1, Sum(text, "gatehouse_transfer_duration_seconds_count", "user=\"other\""));
        Assert.True(Sum(text, "gatehouse_quota_usage_bytes", "area=\"home\"", "user=\"alice\"") >= 100_000, text);
        Assert.True(Sum(text, "gatehouse_quota_usage_bytes", "area=\"home\"", "user=\"other\"") >= 200_000, text);

        // Logins stay without a user: failed ones carry names a client chose.
        Assert.Equal(2, Sum(text, "gatehouse_logins_total", "result=\"success\""));
        Assert.All(Samples(text, "gatehouse_logins_total"), sample => Assert.DoesNotContain("user=", sample.Labels, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Event_deliveries_are_counted_by_outcome_and_the_failed_ones_show_in_the_queue_gauges()
    {
        await using var receiver = new WebhookReceiver { Answer = _ => 500 };
        await using var api = await AdminApi.StartAsync(
            new()
            {
                ["Events__WebhookAllowedHosts__0"] = "127.0.0.1",
                ["Events__MaxAttempts"] = "2",
                ["Events__RetryBaseSeconds"] = "1",
                ["Metrics__StoreReadSeconds"] = "1",
            },
            prepare: settings => GatehouseServer.CliAsync(settings, "rule", "add", "hook", "--on", "upload", "--webhook", receiver.Url()));
        await Clients.FtplibAsync(api.Server, "upload", tls: false, extra: ["--name", "a.bin", "--size", "10"]);

        var text = await ScrapeUntilAsync(api, scraped => Sum(scraped, "gatehouse_events_failed") == 1, TimeSpan.FromSeconds(30));
        Assert.Equal(1, Sum(text, "gatehouse_events_deliveries_total", "rule=\"hook\"", "outcome=\"retry\""));
        Assert.Equal(1, Sum(text, "gatehouse_events_deliveries_total", "rule=\"hook\"", "outcome=\"failed\""));
        Assert.Equal(0, Sum(text, "gatehouse_events_deliveries_total", "outcome=\"delivered\""));
        Assert.Equal(1, Sum(text, "gatehouse_events_failed"));
        Assert.Equal(0, Sum(text, "gatehouse_events_pending"));
        Assert.Equal(0, Sum(text, "gatehouse_events_not_queued_total"));
        Assert.Equal(2, receiver.Requests.Count);
    }

    /// <summary>AUTH TLS, then silence until the server gives up on the handshake; exits 0 once the server closed.</summary>
    private const string SilentAfterAuthTls = """
        import socket, sys
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=50)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"AUTH TLS\r\n")
        assert f.readline().startswith(b"234")
        assert s.recv(1) == b""
        """;

    /// <summary>AUTH TLS, then plain text where the ClientHello should be: the handshake fails (protocol).</summary>
    private const string PlainTextAfterAuthTls = """
        import socket, sys
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"AUTH TLS\r\n")
        assert f.readline().startswith(b"234")
        s.sendall(b"GET / HTTP/1.0\r\n\r\n" * 20)
        try:
            while s.recv(4096):
                pass
        except ConnectionResetError:
            pass
        """;
}
