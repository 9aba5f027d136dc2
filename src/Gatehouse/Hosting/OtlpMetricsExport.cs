using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Gatehouse.Hosting;

/// <summary>
/// Metrics:OtlpEndpoint: pushes the Gatehouse meter to an OpenTelemetry collector every Metrics:OtlpIntervalSeconds,
/// from the server's own host, so it works with the admin listener off; the last export runs as the server stops.
/// </summary>
public static class OtlpMetricsExport
{
    public static void AddOtlpMetrics(this IServiceCollection services, GatehouseOptions options, ValidatedSettings settings)
    {
        if (settings.OtlpEndpoint is not { } endpoint)
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("gatehouse", serviceInstanceId: HealthEndpoint.NodeName(options)))
            .WithMetrics(metrics => metrics.AddMeter(GatehouseMetrics.MeterName).AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = options.Metrics.OtlpProtocol == MetricsOptions.GrpcProtocol ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.Metrics.OtlpIntervalSeconds * 1000;
            }));
    }
}
