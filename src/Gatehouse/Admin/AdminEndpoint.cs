using Gatehouse.Accounts.Store;
using Gatehouse.Admin.Web;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Tls;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Gatehouse.Admin;

/// <summary>
/// Admin:Port: the admin HTTP API (docs/admin-api.md) on its own Kestrel listener inside the server's host. Every
/// request passes, in order: Admin:AllowedNetworks, API-key authentication, and authorization, whose fallback policy
/// refuses anything an endpoint does not open explicitly; only GET /health and the web admin's login steps and static
/// files are anonymous. The web admin (Web/, docs/web-admin.md) shares the listener with its own cookie sessions.
/// </summary>
public sealed partial class AdminEndpoint(
    GatehouseOptions options, ValidatedSettings settings, IServiceProvider server, AdminTls tls, ILogger<AdminEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Admin.Port == 0)
        {
            return;
        }

        var app = Build();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Cannot listen for the admin API on port {options.Admin.Port}: {error.Message}. Change Admin:Port.", error);
        }

        _app = app;
        LogListening(logger, string.Join(", ", ListenPorts.Admin(options.Admin, settings.AdminListenAddresses).Select(port => port.EndPoint)),
            tls.Certificate is null ? "HTTP" : "HTTPS", settings.AdminAllowedNetworks.ToString());
    }

    /// <summary>Every route the listener answers once started (none when it is off): what the test of the fallback policy walks.</summary>
    public IReadOnlyList<RouteEndpoint> Routes =>
        _app is null ? [] : [.. ((IEndpointRouteBuilder)_app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()];

    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;

    private WebApplication Build()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var port in ListenPorts.Admin(options.Admin, settings.AdminListenAddresses))
            {
                kestrel.Listen(port.EndPoint, listen =>
                {
                    if (tls.Certificate is { } certificate)
                    {
                        listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificate.Certificate);
                    }
                });
            }
        });
        var services = builder.Services;
        // The server's host owns the process's signals (SIGTERM drains the FTP sessions first) and its status lines.
        services.AddSingleton<IHostLifetime, SharedHostLifetime>();
        AdminServices.ShareFrom(server, services);
        services.AddRoutingCore();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Default));
        // The core alone: AddAuthentication would bring Data Protection, a key ring on disk that bearer keys do not use.
        services.AddAuthenticationCore(authentication => authentication.DefaultScheme = ApiKeyAuthentication.SchemeName);
        services.AddWebEncoders();
        new AuthenticationBuilder(services).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorization(AdminAuthorization.Configure);
        WebAdmin.AddServices(services, server);
        services.AddOpenApi();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("gatehouse", serviceInstanceId: HealthEndpoint.NodeName(options)))
            .WithMetrics(metrics => metrics.AddMeter(GatehouseMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        var store = server.GetRequiredService<StoreReachability>();
        app.Use(new AdminNetworkFilter(settings.AdminAllowedNetworks, app.Services.GetRequiredService<ILogger<AdminNetworkFilter>>()).InvokeAsync);
        WebAdmin.UseHeaders(app);
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(ApiKeyReach.RefuseUnmarkedAsync);
        app.MapMethods("/health", [HttpMethods.Get, HttpMethods.Head], (NodeDrain drain) => HealthEndpoint.Answer(drain, HealthEndpoint.NodeName(options), store))
            .AllowAnonymous()
            .WithTags("Health");
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(AdminAuthorization.Metrics);
        app.MapOpenApi();
        var api = app.MapGroup("/api/v1");
        UsersApi.Map(api);
        GroupsApi.Map(api);
        FoldersApi.Map(api);
        SessionsApi.Map(api);
        BansApi.Map(api);
        StorageApi.Map(api);
        TransfersApi.Map(api);
        RulesApi.Map(api);
        WebAdmin.Map(app);
        return app;
    }

    /// <summary>Starts and stops with the server's host, which alone listens to SIGTERM and Ctrl+C.</summary>
    private sealed class SharedHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(242, LogLevel.Information, "Admin API listening on {Endpoints} ({Protocol}; allowed networks: {Networks})")]
    private static partial void LogListening(ILogger logger, string endpoints, string protocol, string networks);
}
