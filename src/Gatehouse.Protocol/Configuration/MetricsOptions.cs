namespace Gatehouse.Protocol.Configuration;

/// <summary>
/// What the server's metrics carry and where they go besides the admin API's scrape endpoint (docs/metrics.md).
/// </summary>
public sealed class MetricsOptions
{
    public const string GrpcProtocol = "grpc";

    public const string HttpProtobufProtocol = "http/protobuf";

    /// <summary>Add a user attribute to the transfer and quota series. Off by default: one series per user can be many.</summary>
    public bool PerUser { get; set; }

    /// <summary>With <see cref="PerUser"/>: users beyond this many (the first seen since start) share the user "other".</summary>
    public int PerUserLimit { get; set; } = 100;

    /// <summary>Seconds the figures read from the account store (quota usage, queued events) may be old; the store is read at most this often.</summary>
    public int StoreReadSeconds { get; set; } = 30;

    /// <summary>An OpenTelemetry collector's OTLP address (http:// or https://); empty: no OTLP export.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><see cref="GrpcProtocol"/> or <see cref="HttpProtobufProtocol"/>.</summary>
    public string OtlpProtocol { get; set; } = HttpProtobufProtocol;

    /// <summary>Seconds between two OTLP exports.</summary>
    public int OtlpIntervalSeconds { get; set; } = 60;
}
