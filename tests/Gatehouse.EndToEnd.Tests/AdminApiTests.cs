using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>The admin HTTP API against the real server: keys and scopes, live sessions and kick, metrics, OpenAPI, and the start-up rules.</summary>
public sealed partial class AdminApiTests
{
    [Fact]
    public async Task Keys_are_refused_when_missing_unknown_malformed_expired_or_of_the_wrong_scope_without_any_data()
    {
        await using var api = await AdminApi.StartAsync();

        // Made while the server runs: it reads keys from the store at each request.
        var expiry = DateTimeOffset.UtcNow.AddSeconds(10);
        var expiring = await AdminApi.AddKeyAsync(api.Server.Settings, "short-lived", "--scope", "read", "--expires", expiry.ToString("O", CultureInfo.InvariantCulture));

        using (var health = await api.SendAsync(HttpMethod.Get, "/health", key: null))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        foreach (var (key, why) in new (string?, string)[] { (null, "anonymous"), ("ghk_" + new string('A', 43), "unknown"), ("not-a-key", "malformed") })
        {
            using var refused = await api.SendAsync(HttpMethod.Get, "/api/v1/users", key);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("alice", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var wrongScope = await api.SendAsync(HttpMethod.Get, "/api/v1/users", api.Keys["metrics"]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrongScope.StatusCode);
            Assert.DoesNotContain("alice", await wrongScope.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var readCannotKick = await api.SendAsync(HttpMethod.Delete, "/api/v1/sessions/0000", api.Keys["read"]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, readCannotKick.StatusCode);
        }

        using (var beforeExpiry = await api.SendAsync(HttpMethod.Get, "/api/v1/users", expiring))
        {
            Assert.Equal(HttpStatusCode.OK, beforeExpiry.StatusCode);
        }

        await Task.Delay(expiry - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(0.5));
        using (var expired = await api.SendAsync(HttpMethod.Get, "/api/v1/users", expiring))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
            Assert.DoesNotContain("alice", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var reason in new[] { "API key 'short-lived' expired", "API key 'metrics-key' has scope metrics", "no API key (anonymous)", "unknown API key" })
        {
            Assert.True(await api.Server.WaitForLogAsync($"Admin API refused GET /api/v1/users from 127.0.0.1: {reason}", TimeSpan.FromSeconds(5)), reason + "\n" + api.Server.Output);
        }
    }

    [Fact]
    public async Task Users_are_listed_with_their_groups()
    {
        await using var api = await AdminApi.StartAsync(prepare: async settings =>
        {
            await GatehouseServer.CliAsync(settings, "group", "add", "partners");
            await GatehouseServer.RunCliAsync(settings, GatehouseServer.Password + "\n", "user", "add", "bob", "--password-stdin", "--group", "partners");
        });

        var users = await api.GetJsonAsync("/api/v1/users");
        Assert.Equal(["alice", "bob"], users.EnumerateArray().Select(user => user.GetProperty("name").GetString()));
        var bob = await api.GetJsonAsync("/api/v1/users/bob");
        Assert.Equal("partners", Assert.Single(bob.GetProperty("groups").EnumerateArray()).GetString());
        Assert.True(bob.GetProperty("enabled").GetBoolean());
        Assert.False(bob.TryGetProperty("passwordHash", out _));

        using var missing = await api.SendAsync(HttpMethod.Get, "/api/v1/users/nobody", api.Keys["read"]);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Users_are_created_disabled_given_passwords_and_removed_under_the_cli_rules_and_every_change_is_audited()
    {
        await using var api = await AdminApi.StartAsync(prepare: settings => GatehouseServer.CliAsync(settings, "group", "add", "partners"));
        var write = api.Keys["write"];

        using (var readOnly = await api.PostJsonAsync("/api/v1/users", """{"name":"carol","password":"river-stone-lamp-42"}""", api.Keys["read"]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        }

        using (var weak = await api.PostJsonAsync("/api/v1/users", """{"name":"carol","password":"short"}""", write))
        {
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
            Assert.Contains("The password is too short: use at least 12 characters", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var noGroup = await api.PostJsonAsync("/api/v1/users", """{"name":"carol","password":"river-stone-lamp-42","groups":["nobody"]}""", write))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noGroup.StatusCode);
            Assert.Contains("No group 'nobody'", await noGroup.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var created = await api.PostJsonAsync("/api/v1/users", """{"name":"carol","password":"river-stone-lamp-42","groups":["partners"]}""", write))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("/api/v1/users/carol", created.Headers.Location?.OriginalString);
        }

        Assert.Equal("partners", Assert.Single((await api.GetJsonAsync("/api/v1/users/carol")).GetProperty("groups").EnumerateArray()).GetString());
        Assert.True(await AdminApi.CanLogInAsync(api.Server, "carol", "river-stone-lamp-42"));

        using (var disabled = await api.SendAsync(HttpMethod.Post, "/api/v1/users/carol/disable", write))
        {
            Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        }

        Assert.False(await AdminApi.CanLogInAsync(api.Server, "carol", "river-stone-lamp-42"));
        using (var enabled = await api.SendAsync(HttpMethod.Post, "/api/v1/users/carol/enable", write))
        {
            Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);
        }

        using (var changed = await api.PutJsonAsync("/api/v1/users/carol/password", """{"password":"amber-field-notes-77"}""", write))
        {
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        }

        Assert.True(await AdminApi.CanLogInAsync(api.Server, "carol", "amber-field-notes-77"));
        using (var removed = await api.SendAsync(HttpMethod.Delete, "/api/v1/users/carol", write))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        using (var gone = await api.SendAsync(HttpMethod.Get, "/api/v1/users/carol", api.Keys["read"]))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        // The CLI's changes land in the same trail as the API's.
        await api.Server.CliAsync("user", "disable", "alice");
        var records = await AdminApi.AuditAsync(api.Server);
        Assert.Equal(
            ["user.add alice cli:" + Environment.UserName, "user.add carol apikey:write-key", "user.disable carol apikey:write-key", "user.enable carol apikey:write-key", "user.passwd carol apikey:write-key", "user.remove carol apikey:write-key", "user.disable alice cli:" + Environment.UserName],
            records.Where(record => record.GetProperty("action").GetString()!.StartsWith("user.", StringComparison.Ordinal))
                .Select(record => $"{record.GetProperty("action").GetString()} {record.GetProperty("target").GetString()} {record.GetProperty("actor").GetString()}"));
        Assert.DoesNotContain(records, record => record.ToString().Contains("river-stone", StringComparison.Ordinal) || record.ToString().Contains("amber-field", StringComparison.Ordinal));
        var (verifyCode, verified) = await api.Server.RunCliAsync(null, "audit", "verify");
        Assert.True(verifyCode == 0, verified);
    }

    [Fact]
    public async Task A_ban_is_listed_and_lifted_and_the_lifting_is_audited()
    {
        // Loopback is not exempt here, and one failed login (2 points) earns a ban.
        await using var api = await AdminApi.StartAsync(new Dictionary<string, string> { ["Bans__Threshold"] = "2", ["Bans__ExemptNetworks__0"] = "192.0.2.0/24" });
        Assert.False(await AdminApi.CanLogInAsync(api.Server, "alice", "wrong-password-here"));
        var ban = Assert.Single((await api.GetJsonAsync("/api/v1/bans")).EnumerateArray());
        Assert.Equal("127.0.0.1", ban.GetProperty("address").GetString());
        Assert.Contains("failed", ban.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);

        using (var readOnly = await api.SendAsync(HttpMethod.Delete, "/api/v1/bans/127.0.0.1", api.Keys["read"]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        }

        using (var lifted = await api.SendAsync(HttpMethod.Delete, "/api/v1/bans/127.0.0.1", api.Keys["write"]))
        {
            Assert.Equal(HttpStatusCode.NoContent, lifted.StatusCode);
        }

        using (var again = await api.SendAsync(HttpMethod.Delete, "/api/v1/bans/127.0.0.1", api.Keys["write"]))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        Assert.Empty((await api.GetJsonAsync("/api/v1/bans")).EnumerateArray());
        var record = (await AdminApi.AuditAsync(api.Server)).Single(entry => entry.GetProperty("action").GetString() == "ban.remove");
        Assert.Equal("127.0.0.1", record.GetProperty("target").GetString());
        Assert.Contains("offences=1", record.GetProperty("before").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_download_shows_its_bytes_in_the_session_list_and_a_kick_closes_the_session_and_is_audited()
    {
        await using var api = await AdminApi.StartAsync();
        TestFiles.CreateBig(api.Server, size: 64L << 20);
        var download = Clients.RunAsync(Clients.Python, [Clients.Script, "slow-download", "--port", api.Server.ExplicitPort.ToString(CultureInfo.InvariantCulture), "--user", "alice", "--password", GatehouseServer.Password, "--seconds", "90", "--chunk", "131072"]);

        JsonElement session = default;
        long firstBytes = 0;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && firstBytes == 0)
        {
            foreach (var candidate in (await api.GetJsonAsync("/api/v1/sessions")).EnumerateArray())
            {
                if (candidate.GetProperty("transfer") is { ValueKind: JsonValueKind.Object } transfer && transfer.GetProperty("bytes").GetInt64() > 0)
                {
                    (session, firstBytes) = (candidate, transfer.GetProperty("bytes").GetInt64());
                }
            }

            await Task.Delay(200);
        }

        Assert.True(firstBytes > 0, $"No running transfer appeared in /api/v1/sessions.\n{Clients.Tail(api.Server.Output)}");
        Assert.Equal("alice", session.GetProperty("user").GetString());
        Assert.StartsWith("127.0.0.1:", session.GetProperty("client").GetString(), StringComparison.Ordinal);
        Assert.Equal("/big.bin", session.GetProperty("transfer").GetProperty("path").GetString());
        Assert.Equal("download", session.GetProperty("transfer").GetProperty("direction").GetString());

        // The client reads slowly (640 KB/s), so the count goes on growing while it runs, a block at a time once the
        // socket buffers (several MB on loopback) have room again.
        var id = session.GetProperty("id").GetString()!;
        long laterBytes = 0;
        deadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < deadline && laterBytes <= firstBytes)
        {
            await Task.Delay(500);
            laterBytes = (await api.GetJsonAsync($"/api/v1/sessions/{id}")).GetProperty("transfer").GetProperty("bytes").GetInt64();
        }

        Assert.True(laterBytes > firstBytes, $"bytes did not grow: {firstBytes} then {laterBytes}");

        using (var kick = await api.SendAsync(HttpMethod.Delete, $"/api/v1/sessions/{id}", api.Keys["write"]))
        {
            Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
        }

        var (code, output) = await download;
        Assert.True(code != 0, $"the download should have been cut off by the kick:\n{output}");
        Assert.True(await api.Server.WaitForLogAsync("Session ended: closed by an administrator (apikey:write-key)", TimeSpan.FromSeconds(10)), api.Server.Output);
        Assert.True(await api.Server.WaitForLogAsync($"Session {id} closed on request of apikey:write-key", TimeSpan.FromSeconds(5)), api.Server.Output);
        Assert.DoesNotContain((await api.GetJsonAsync("/api/v1/sessions")).EnumerateArray(), listed => listed.GetProperty("id").GetString() == id);

        using (var again = await api.SendAsync(HttpMethod.Delete, $"/api/v1/sessions/{id}", api.Keys["write"]))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        var kicked = (await AdminApi.AuditAsync(api.Server)).Single(record => record.GetProperty("action").GetString() == "session.kick");
        Assert.Equal("apikey:write-key", kicked.GetProperty("actor").GetString());
        Assert.Equal("127.0.0.1", kicked.GetProperty("origin").GetString());
        Assert.Equal(id, kicked.GetProperty("target").GetString());
        Assert.StartsWith("user=alice client=127.0.0.1:", kicked.GetProperty("before").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_after_real_transfers_count_the_bytes_by_direction_the_logins_and_the_durations()
    {
        await using var api = await AdminApi.StartAsync();
        const int size = 3 * 1024 * 1024 + 7;
        await Clients.FtplibAsync(api.Server, "roundtrip", tls: false, extra: ["--size", size.ToString(CultureInfo.InvariantCulture)]);
        var (code, wrong) = await Clients.RunAsync("curl", ["--silent", "--user", "alice:wrong-password", $"ftp://127.0.0.1:{api.Server.ExplicitPort}/"]);
        Assert.True(code != 0, wrong);

        using var scrape = await api.SendAsync(HttpMethod.Get, "/metrics", api.Keys["metrics"]);
        var text = await scrape.Content.ReadAsStringAsync();
        Assert.True(scrape.StatusCode == HttpStatusCode.OK, text);
        Assert.True(Sample(text, "gatehouse_transfer_bytes_total", "direction=\"upload\"") >= size, text);
        Assert.True(Sample(text, "gatehouse_transfer_bytes_total", "direction=\"download\"") >= size, text);
        Assert.True(Sample(text, "gatehouse_logins_total", "result=\"success\"") >= 1, text);
        Assert.True(Sample(text, "gatehouse_logins_total", "result=\"failure\"") >= 1, text);
        Assert.True(Sample(text, "gatehouse_transfer_duration_seconds_count", "direction=\"download\"") >= 1, text);
        Assert.Contains("gatehouse_sessions_active", text, StringComparison.Ordinal);
        Assert.Equal(1, Sample(text, "gatehouse_store_reachable", "otel_scope_name"));

        // A read key may scrape too; a write key as well, anonymous not.
        using (var read = await api.SendAsync(HttpMethod.Get, "/metrics", api.Keys["read"]))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using var anonymous = await api.SendAsync(HttpMethod.Get, "/metrics", key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.DoesNotContain("gatehouse_", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_endpoints_and_is_served_only_with_a_key()
    {
        await using var api = await AdminApi.StartAsync();
        using (var anonymous = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json", key: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        var document = await api.GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/users", "/api/v1/users/{name}", "/api/v1/sessions", "/api/v1/sessions/{id}" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }

        Assert.True(paths.GetProperty("/api/v1/sessions/{id}").TryGetProperty("delete", out _));
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("SessionView", out _));
    }

    [Fact]
    public async Task Requests_from_outside_Admin_AllowedNetworks_are_refused_even_for_the_health_check()
    {
        await using var api = await AdminApi.StartAsync(new Dictionary<string, string> { ["Admin__AllowedNetworks__0"] = "192.0.2.0/24" });
        foreach (var (path, key) in new[] { ("/health", (string?)null), ("/api/v1/users", api.Keys["read"]) })
        {
            using var refused = await api.SendAsync(HttpMethod.Get, path, key);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.DoesNotContain("alice", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.True(await api.Server.WaitForLogAsync("Admin API refused GET /health from 127.0.0.1: not in Admin:AllowedNetworks", TimeSpan.FromSeconds(5)), api.Server.Output);
    }

    [Fact]
    public async Task With_its_own_certificate_the_admin_API_speaks_only_HTTPS_with_that_certificate()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-admin-tls-");
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=gatehouse-admin-test", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            var (certificateFile, keyFile) = (Path.Combine(directory.FullName, "admin.crt"), Path.Combine(directory.FullName, "admin.key"));
            await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());

            await using var api = await AdminApi.StartAsync(new Dictionary<string, string> { ["Admin__CertificateFile"] = certificateFile, ["Admin__KeyFile"] = keyFile });
            Assert.Contains("(HTTPS;", api.Server.Output, StringComparison.Ordinal);
            string? presented = null;
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, served, _, _) =>
                {
                    presented = served?.Thumbprint;
                    return served?.Thumbprint == certificate.Thumbprint;
                },
            };
            using var https = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{api.Port}"), Timeout = TimeSpan.FromSeconds(20) };
            using var secured = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users");
            secured.Headers.Authorization = new("Bearer", api.Keys["read"]);
            using (var response = await https.SendAsync(secured))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Equal(certificate.Thumbprint, presented);

            // Plain HTTP on the same port gets no data: the connection is refused or answered with an error.
            using var plain = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users");
            plain.Headers.Authorization = new("Bearer", api.Keys["read"]);
            try
            {
                using var cleartext = await api.Http.SendAsync(plain);
                Assert.False(cleartext.IsSuccessStatusCode);
                Assert.DoesNotContain("alice", await cleartext.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            catch (HttpRequestException)
            {
                // Closed without an answer.
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("0.0.0.0", false, "Admin:ListenAddresses: 0.0.0.0 is not loopback, and the admin API would answer it in clear text")]
    [InlineData("0.0.0.0", true, "Admin:AllowedNetworks: is empty while Admin:ListenAddresses includes 0.0.0.0")]
    [InlineData("::", true, "Admin:AllowedNetworks: is empty while Admin:ListenAddresses includes ::")]
    public async Task A_bind_beyond_loopback_without_tls_or_allowed_networks_stops_start_up_naming_the_key_and_the_fix(string address, bool tls, string expected)
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-admin-bind-");
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["DataDirectory"] = data.FullName,
                ["Ftp__ExplicitPort"] = GatehouseServer.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Admin__Port"] = GatehouseServer.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Admin__ListenAddresses__0"] = address,
                ["Tls__Policy"] = tls ? "Required" : "Disabled",
            };
            var (code, output) = await GatehouseServer.RunCliAsync(settings, null, "serve");
            Assert.True(code != 0, output);
            Assert.Contains(expected, output, StringComparison.Ordinal);
            Assert.DoesNotContain("Listening for", output, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    /// <summary>The value of the first sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>; 0 when there is none.</summary>
    private static double Sample(string exposition, string metric, string label)
    {
        foreach (Match match in SampleLine().Matches(exposition))
        {
            if (match.Groups["name"].Value == metric && match.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            {
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>[0-9.e+-]+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
