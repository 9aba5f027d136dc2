using System.Globalization;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Events:WebhookAllowedHosts: a webhook URL is accepted only when its host (and port, when the entry names one) is
/// listed. Nothing else is reachable, so a rule cannot make the server call its own network (SSRF), whatever the URL.
/// </summary>
public sealed class WebhookDestinations
{
    private readonly (string Host, int? Port)[] _entries;

    public WebhookDestinations(IEnumerable<string> entries)
    {
        _entries = [.. entries.Select(entry => TryParseEntry(entry, out var host, out var port) ? (host, port) : throw new ArgumentException($"'{entry}' is not a host or host:port.", nameof(entries)))];
    }

    /// <summary>"host", "host:port", "[v6]" or "[v6]:port".</summary>
    public static bool TryParseEntry(string entry, out string host, out int? port)
    {
        port = null;
        host = string.Empty;
        if (!Uri.TryCreate("https://" + entry.Trim(), UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0 || uri.Host.Length == 0)
        {
            return false;
        }

        host = Normalize(uri);
        var written = entry.Trim();
        var colon = written.LastIndexOf(':');
        if (colon > written.LastIndexOf(']') && int.TryParse(written[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            port = number;
        }

        return true;
    }

    /// <returns>Null when the URL may be called, else why not.</returns>
    public string? Refusal(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return $"'{url}' is not an http:// or https:// URL";
        }

        if (uri.UserInfo.Length > 0)
        {
            return $"'{url}' carries a user name or password in the URL; put a secret in --secret instead";
        }

        var host = Normalize(uri);
        return _entries.Any(entry => entry.Host == host && (entry.Port is null || entry.Port == uri.Port))
            ? null
            : $"{host}:{uri.Port} is not in Events:WebhookAllowedHosts; add it there to allow webhooks to it";
    }

    private static string Normalize(Uri uri) => uri.IdnHost.Trim('[', ']').ToLowerInvariant();
}
