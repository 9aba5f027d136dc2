using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>A real server with the admin API on loopback, and API keys of each scope made with the real CLI before it starts.</summary>
internal sealed partial class AdminApi : IAsyncDisposable
{
    private AdminApi(GatehouseServer server, int port, IReadOnlyDictionary<string, string> keys)
    {
        Server = server;
        Port = port;
        Keys = keys;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public GatehouseServer Server { get; }

    public int Port { get; }

    /// <summary>Key by scope name: read, write, metrics.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; }

    public HttpClient Http { get; }

    public static async Task<AdminApi> StartAsync(Dictionary<string, string>? settings = null, Func<IReadOnlyDictionary<string, string>, Task>? prepare = null)
    {
        var port = GatehouseServer.FreePort();
        var all = new Dictionary<string, string>
        {
            ["Tls__Policy"] = "Optional",
            ["Admin__Port"] = port.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var keys = new Dictionary<string, string>();
        var server = await GatehouseServer.StartAsync(all, prepare: async configured =>
        {
            foreach (var scope in new[] { "read", "write", "metrics" })
            {
                keys[scope] = await AddKeyAsync(configured, $"{scope}-key", "--scope", scope);
            }

            if (prepare is not null)
            {
                await prepare(configured);
            }
        });
        if (!await server.WaitForLogAsync("Admin API listening on", TimeSpan.FromSeconds(15)))
        {
            var output = server.Output;
            await server.DisposeAsync();
            Assert.Fail($"The admin API did not start:\n{output}");
        }

        return new AdminApi(server, port, keys);
    }

    /// <summary>gatehouse apikey add; returns the key it printed once.</summary>
    public static async Task<string> AddKeyAsync(IReadOnlyDictionary<string, string> settings, string name, params string[] options)
    {
        var (code, output) = await GatehouseServer.RunCliAsync(settings, null, ["apikey", "add", name, .. options]);
        Assert.True(code == 0, output);
        return KeyPattern().Match(output) is { Success: true } key ? key.Value : throw new InvalidOperationException($"No key in: {output}");
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, string key) => SendJsonAsync(HttpMethod.Post, path, json, key);

    public Task<HttpResponseMessage> PutJsonAsync(string path, string json, string key) => SendJsonAsync(HttpMethod.Put, path, json, key);

    public Task<HttpResponseMessage> PatchJsonAsync(string path, string json, string key) => SendJsonAsync(HttpMethod.Patch, path, json, key);

    /// <summary>Sends the request and checks its status; with a problem, also that it names <paramref name="field"/> among its errors.</summary>
    public async Task<JsonElement?> ExpectAsync(HttpStatusCode expected, HttpMethod method, string path, string? json = null, string scope = "write", string? field = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key ?? Keys[scope]);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {body}");
        if (field is not null)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _), $"{method} {path}: no error for '{field}' in {body}");
        }

        return body.Length > 0 && response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json" ? JsonDocument.Parse(body).RootElement.Clone() : null;
    }

    /// <summary>Whether curl logs in over FTP with this user and password.</summary>
    public static async Task<bool> CanLogInAsync(GatehouseServer server, string user, string password)
    {
        var (code, _) = await Clients.RunAsync("curl", ["--silent", "--max-time", "20", "--user", $"{user}:{password}", $"ftp://127.0.0.1:{server.ExplicitPort}/"]);
        return code == 0;
    }

    /// <summary>The audit trail, read with gatehouse audit export.</summary>
    public static async Task<List<JsonElement>> AuditAsync(GatehouseServer server)
    {
        var (code, export) = await server.RunCliAsync(null, "audit", "export");
        Assert.True(code == 0, export);
        return [.. export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    public async Task<JsonElement> GetJsonAsync(string path, string scope = "read")
    {
        using var response = await SendAsync(HttpMethod.Get, path, Keys[scope]);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, string json, string key)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    [GeneratedRegex("ghk_[A-Za-z0-9_-]{43}")]
    private static partial Regex KeyPattern();
}
