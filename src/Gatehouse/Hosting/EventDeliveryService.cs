using Gatehouse.Protocol.Events;
using Microsoft.Extensions.Hosting;

namespace Gatehouse.Hosting;

/// <summary>Delivers queued events for as long as the server runs. Started before the FTP server, so the rules are read before the first session.</summary>
public sealed class EventDeliveryService(EventDispatcher dispatcher) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await dispatcher.LoadRulesAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => dispatcher.RunAsync(stoppingToken);
}
