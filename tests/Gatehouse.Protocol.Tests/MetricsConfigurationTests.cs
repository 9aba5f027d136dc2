using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Logging;

namespace Gatehouse.Protocol.Tests;

/// <summary>Metrics:*: no OTLP and no per-user series by default; a bad value stops start-up naming the key.</summary>
public sealed class MetricsConfigurationTests
{
    [Fact]
    public void By_default_there_is_no_otlp_export_and_no_per_user_series()
    {
        var options = new GatehouseOptions();
        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        Assert.Null(settings.OtlpEndpoint);
        Assert.False(options.Metrics.PerUser);
    }

    [Theory]
    [InlineData("http://collector:4318", "http/protobuf", "http://collector:4318/v1/metrics")]
    [InlineData("https://collector.example/otlp/v1/metrics", "http/protobuf", "https://collector.example/otlp/v1/metrics")]
    [InlineData("http://collector:4317", "grpc", "http://collector:4317/")]
    public void The_otlp_endpoint_gets_the_standard_path_over_http_when_it_has_none(string endpoint, string protocol, string expected)
    {
        var options = new GatehouseOptions { Metrics = { OtlpEndpoint = endpoint, OtlpProtocol = protocol } };
        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        Assert.Equal(new Uri(expected), settings.OtlpEndpoint);
    }

    [Theory]
    [InlineData("collector:4318", "http/protobuf", 60, 100, 30, "Metrics:OtlpEndpoint: 'collector:4318' is not an http:// or https:// URL")]
    [InlineData("ftp://collector", "http/protobuf", 60, 100, 30, "Metrics:OtlpEndpoint:")]
    [InlineData("http://collector:4318", "http", 60, 100, 30, "Metrics:OtlpProtocol: is 'http'")]
    [InlineData("http://collector:4318", "grpc", 0, 100, 30, "Metrics:OtlpIntervalSeconds: is 0")]
    [InlineData(null, "http/protobuf", 60, 0, 30, "Metrics:PerUserLimit: is 0")]
    [InlineData(null, "http/protobuf", 60, 100, 0, "Metrics:StoreReadSeconds: is 0")]
    public void A_bad_value_names_the_key(string? endpoint, string protocol, int interval, int perUserLimit, int storeRead, string expected)
    {
        var options = new GatehouseOptions
        {
            Metrics = { OtlpEndpoint = endpoint, OtlpProtocol = protocol, OtlpIntervalSeconds = interval, PerUserLimit = perUserLimit, StoreReadSeconds = storeRead },
        };
        Assert.Contains(GatehouseOptionsValidator.Validate(options, out _), problem => problem.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Users_beyond_the_limit_share_the_user_other_and_the_first_ones_keep_their_names()
    {
        var users = new UserSeries(enabled: true, limit: 2);
        Assert.Equal("alice", users.Name("alice"));
        Assert.Equal("bob", users.Name("bob"));
        Assert.Equal(UserSeries.Other, users.Name("carol"));
        Assert.Equal("alice", users.Name("alice"));
        Assert.Null(new UserSeries(enabled: false, limit: 2).Attribute("alice"));
        Assert.Equal(new KeyValuePair<string, object?>("user", "other"), users.Attribute("dave"));
    }
}
