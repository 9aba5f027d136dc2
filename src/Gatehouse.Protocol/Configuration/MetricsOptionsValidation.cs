namespace Gatehouse.Protocol.Configuration;

/// <summary>Checks of the Metrics section: the per-user cap, the store read interval, and the OTLP export's address, protocol and interval.</summary>
internal static class MetricsOptionsValidation
{
    public const int MaxPerUserLimit = 10_000;

    public static void Check(MetricsOptions metrics, Action<string, string> problem)
    {
        if (metrics.PerUserLimit is < 1 or > MaxPerUserLimit)
        {
            problem("Metrics:PerUserLimit", $"is {metrics.PerUserLimit}; use 1 to {MaxPerUserLimit} users (default 100)");
        }

        if (metrics.StoreReadSeconds is < 1 or > 3600)
        {
            problem("Metrics:StoreReadSeconds", $"is {metrics.StoreReadSeconds}; use 1 to 3600 seconds (default 30)");
        }

        if (metrics.OtlpProtocol is not (MetricsOptions.GrpcProtocol or MetricsOptions.HttpProtobufProtocol))
        {
            problem("Metrics:OtlpProtocol", $"is '{metrics.OtlpProtocol}'; use \"{MetricsOptions.HttpProtobufProtocol}\" (default, port 4318) or \"{MetricsOptions.GrpcProtocol}\" (port 4317)");
        }

        if (metrics.OtlpIntervalSeconds is < 1 or > 3600)
        {
            problem("Metrics:OtlpIntervalSeconds", $"is {metrics.OtlpIntervalSeconds}; use 1 to 3600 seconds (default 60)");
        }

        if (!string.IsNullOrWhiteSpace(metrics.OtlpEndpoint) && OtlpEndpoint(metrics) is null)
        {
            problem("Metrics:OtlpEndpoint", $"'{metrics.OtlpEndpoint}' is not an http:// or https:// URL; write the collector's address, for example \"http://otel-collector:4318\", or leave it empty to export no OTLP");
        }
    }

    /// <summary>
    /// Where OTLP goes: the configured URL; over HTTP, a URL without a path gets the standard /v1/metrics. Null when
    /// export is off or the URL is not valid.
    /// </summary>
    public static Uri? OtlpEndpoint(MetricsOptions metrics)
    {
        if (string.IsNullOrWhiteSpace(metrics.OtlpEndpoint)
            || !Uri.TryCreate(metrics.OtlpEndpoint, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(uri.Host))
        {
            return null;
        }

        return metrics.OtlpProtocol == MetricsOptions.HttpProtobufProtocol && uri.AbsolutePath == "/" ? new Uri(uri, "v1/metrics") : uri;
    }
}
