using System.Globalization;
using System.Net;
using Gatehouse.Accounts.Admin;
using Gatehouse.Admin;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Configuration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The authorization fallback policy, checked on every route the admin listener maps, as composed for <c>serve</c>:
/// a route added later without a thought for authorization is caught here, since it is walked like the others.
/// </summary>
public sealed class AdminFallbackPolicyTests
{
    [Fact]
    public async Task Every_mapped_route_refuses_anonymous_and_metrics_only_requests_read_keys_every_change_and_limited_keys_all_but_their_users_and_the_web_admin_without_a_session()
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-admin-routes-");
        var port = GatehouseServer.FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataDirectory"] = data.FullName,
            ["Ftp:ExplicitPort"] = GatehouseServer.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Ftp:ListenAddresses:0"] = "127.0.0.1",
            ["Ftp:PassivePorts"] = "50000-50001",
            ["Tls:Policy"] = "Disabled",
            ["Admin:Port"] = port.ToString(CultureInfo.InvariantCulture),
        }).Build();
        var options = configuration.Get<GatehouseOptions>()!;
        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGatehouseServer(options, settings);
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
            var (metricsKey, readKey, limitedKey) = (ApiKey.NewSecret(), ApiKey.NewSecret(), ApiKey.NewSecret());
            var keys = host.Services.GetRequiredService<IAdminStore>();
            await keys.AddKeyAsync(new ApiKey("metrics", ApiKey.HashOf(metricsKey), ApiKeyScope.Metrics, DateTimeOffset.UtcNow, null), CancellationToken.None);
            await keys.AddKeyAsync(new ApiKey("read", ApiKey.HashOf(readKey), ApiKeyScope.Read, DateTimeOffset.UtcNow, null), CancellationToken.None);
            await keys.AddKeyAsync(new ApiKey("limited", ApiKey.HashOf(limitedKey), ApiKeyScope.Write, DateTimeOffset.UtcNow, null, ["someone"]), CancellationToken.None);
            var routes = host.Services.GetServices<IHostedService>().OfType<AdminEndpoint>().Single().Routes;
            var checkedRoutes = new List<string>();
            using var handler = new HttpClientHandler { AllowAutoRedirect = false };
            using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            foreach (var route in routes)
            {
                var pattern = route.RoutePattern.RawText!;
                var path = "/" + string.Join('/', route.RoutePattern.PathSegments.Select(segment =>
                    string.Concat(segment.Parts.Select(part => part switch
                    {
                        Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                        Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => parameter.Name == "documentName" ? "v1" : "x",
                        _ => "x",
                    }))));
                foreach (var method in route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                {
                    if (path.StartsWith("/ui", StringComparison.Ordinal))
                    {
                        // The web admin: an API key opens none of it, so both requests get what an anonymous browser gets.
                        foreach (var key in new[] { null, metricsKey })
                        {
                            using var request = new HttpRequestMessage(new HttpMethod(method), path);
                            if (key is not null)
                            {
                                request.Headers.Authorization = new("Bearer", key);
                            }

                            using var answer = await http.SendAsync(request);
                            Assert.True(WebAdminAnswer(method, path, answer), $"{(key is null ? "anonymous" : "metrics-scoped")} {method} {pattern} ({path}) answered {(int)answer.StatusCode}");
                        }

                        checkedRoutes.Add($"{method} {pattern}");
                        continue;
                    }

                    var open = path == "/health";
                    var metrics = path == "/metrics";
                    using (var anonymous = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)))
                    {
                        Assert.True(
                            open ? anonymous.StatusCode == HttpStatusCode.OK : anonymous.StatusCode == HttpStatusCode.Unauthorized,
                            $"anonymous {method} {pattern} ({path}) answered {(int)anonymous.StatusCode}");
                    }

                    using var scopedRequest = new HttpRequestMessage(new HttpMethod(method), path);
                    scopedRequest.Headers.Authorization = new("Bearer", metricsKey);
                    using var scoped = await http.SendAsync(scopedRequest);
                    Assert.True(
                        open || metrics ? scoped.StatusCode == HttpStatusCode.OK : scoped.StatusCode == HttpStatusCode.Forbidden,
                        $"metrics-scoped {method} {pattern} ({path}) answered {(int)scoped.StatusCode}");
                    // A read key changes nothing: every other method is refused before the handler runs.
                    if (method != "GET" && method != "HEAD")
                    {
                        using var change = new HttpRequestMessage(new HttpMethod(method), path);
                        change.Headers.Authorization = new("Bearer", readKey);
                        using var refused = await http.SendAsync(change);
                        Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"read-scoped {method} {pattern} ({path}) answered {(int)refused.StatusCode}");
                    }

                    // A key limited to some users reaches only the routes that check the user; the others refuse it.
                    if (!open && !path.StartsWith("/api/v1/users", StringComparison.Ordinal) && !path.StartsWith("/api/v1/sessions", StringComparison.Ordinal) && !path.StartsWith("/api/v1/transfers", StringComparison.Ordinal))
                    {
                        using var limited = new HttpRequestMessage(new HttpMethod(method), path);
                        limited.Headers.Authorization = new("Bearer", limitedKey);
                        using var beyond = await http.SendAsync(limited);
                        Assert.True(beyond.StatusCode == HttpStatusCode.Forbidden, $"limited {method} {pattern} ({path}) answered {(int)beyond.StatusCode}");
                    }

                    checkedRoutes.Add($"{method} {pattern}");
                }
            }

            // The walk covered the routes the contract names (and whatever else is mapped).
            foreach (var expected in new[]
            {
                "GET /health", "GET /metrics", "GET /openapi/{documentName}.json", "GET /api/v1/users/", "GET /api/v1/sessions/", "DELETE /api/v1/sessions/{id}",
                "PATCH /api/v1/users/{name}/settings", "PUT /api/v1/groups/{name}/permissions", "POST /api/v1/folders/", "POST /api/v1/quotas/scan", "POST /api/v1/retention/run",
                "GET /api/v1/transfers/", "POST /api/v1/rules/", "POST /api/v1/events/{id}/retry",
                "GET /ui/", "GET /ui/live", "POST /ui/users", "POST /ui/sessions/{id}/kick", "GET /ui/audit", "POST /ui/login/code",
            })
            {
                Assert.Contains(expected, checkedRoutes);
            }
        }
        finally
        {
            await host.StopAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>
    /// What a browser without a session gets from the web admin: the login form (GET) or a refusal of the form without
    /// its antiforgery token (POST); a static file, or nothing for an unknown one; every other page leads to the login
    /// form, and every other POST is refused.
    /// </summary>
    private static bool WebAdminAnswer(string method, string path, HttpResponseMessage answer) => (method, path) switch
    {
        ("GET", "/ui/login") => answer.StatusCode == HttpStatusCode.OK,
        ("POST", "/ui/login") => answer.StatusCode == HttpStatusCode.BadRequest,
        ("GET", "/ui/static/x") => answer.StatusCode == HttpStatusCode.NotFound,
        ("GET", _) => answer.StatusCode == HttpStatusCode.Redirect && answer.Headers.Location?.OriginalString == "/ui/login",
        _ => answer.StatusCode == HttpStatusCode.Unauthorized,
    };
}
