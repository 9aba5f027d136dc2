using System.Globalization;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Hosting;

/// <summary>
/// Cluster:HealthPort: the balancer's health check. GET (or HEAD) /health answers 200 "serving NODE" while the
/// node takes sessions and 503 "draining NODE" once it is draining, so the balancer sends new clients elsewhere.
/// An unreachable account store does not fail it: every node loses the same store at once, and each still serves its
/// sessions and the partners it knows, so a balancer must not drain them all; the body says so, and since when.
/// </summary>
public sealed partial class HealthEndpoint(GatehouseOptions options, ValidatedSettings settings, NodeDrain drain, StoreReachability store, ILogger<HealthEndpoint> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public static string NodeName(GatehouseOptions options) =>
        string.IsNullOrWhiteSpace(options.Cluster.NodeName) ? Environment.MachineName : options.Cluster.NodeName;

    /// <summary>The answer to GET /health, here and on the admin listener.</summary>
    public static IResult Answer(NodeDrain drain, string node, StoreReachability store) => drain.Draining
        ? Results.Text($"draining {node}\n{StoreNote(store)}", statusCode: StatusCodes.Status503ServiceUnavailable)
        : Results.Text($"serving {node}\n{StoreNote(store)}");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Cluster.HealthPort;
        if (port == 0)
        {
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // Kestrel binds without SO_REUSEPORT, so a port another process holds fails here as with the FTP ports.
            foreach (var listen in ListenPorts.Health(options, settings.ListenAddresses))
            {
                kestrel.Listen(listen.EndPoint);
            }
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var node = NodeName(options);
        app.MapMethods("/health", [HttpMethods.Get, HttpMethods.Head], () => Answer(drain, node, store));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Cannot listen for the health check on port {port}: {error.Message}. Change Cluster:HealthPort.", error);
        }

        _app = app;
        LogListening(logger, port, node);
    }

    /// <summary>A second line while the account store is unreachable; nothing while it answers.</summary>
    private static string StoreNote(StoreReachability store) => store.UnreachableSince is { } since
        ? string.Create(CultureInfo.InvariantCulture, $"account store unreachable since {since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} ({(long)(DateTimeOffset.UtcNow - since).TotalSeconds} s): {store.Failure}\n")
        : string.Empty;

    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;

    [LoggerMessage(120, LogLevel.Information, "Health check on port {Port}: GET /health answers 200 while node {Node} serves, 503 while it drains")]
    private static partial void LogListening(ILogger logger, int port, string node);
}
