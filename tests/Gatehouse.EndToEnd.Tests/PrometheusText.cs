using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Reads samples out of the admin API's Prometheus exposition (GET /metrics).</summary>
internal static partial class PrometheusText
{
    /// <summary>GET /metrics with the metrics-scoped key; asserts 200.</summary>
    public static async Task<string> ScrapeAsync(AdminApi api)
    {
        using var scrape = await api.SendAsync(HttpMethod.Get, "/metrics", api.Keys["metrics"]);
        var text = await scrape.Content.ReadAsStringAsync();
        Assert.True(scrape.StatusCode == HttpStatusCode.OK, text);
        return text;
    }

    /// <summary>Scrapes until <paramref name="condition"/> holds or <paramref name="limit"/> passes; returns the last scrape.</summary>
    public static async Task<string> ScrapeUntilAsync(AdminApi api, Func<string, bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var text = await ScrapeAsync(api);
        while (!condition(text) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            text = await ScrapeAsync(api);
        }

        return text;
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels contain every one of <paramref name="labels"/>; 0 when there is none.</summary>
    public static double Sum(string exposition, string metric, params string[] labels) =>
        Samples(exposition, metric).Where(sample => labels.All(label => sample.Labels.Contains(label, StringComparison.Ordinal))).Sum(sample => sample.Value);

    /// <summary>Every sample of <paramref name="metric"/>, with its label text (without braces).</summary>
    public static IEnumerable<(string Labels, double Value)> Samples(string exposition, string metric)
    {
        foreach (Match match in SampleLine().Matches(exposition))
        {
            if (match.Groups["name"].Value == metric)
            {
                yield return (match.Groups["labels"].Value, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
            }
        }
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>[0-9.e+-]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
