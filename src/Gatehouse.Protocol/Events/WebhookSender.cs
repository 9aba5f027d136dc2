using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.Accounts.Events;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// POSTs the event as JSON to a URL that Events:WebhookAllowedHosts allows. Redirects are not followed (a redirect
/// could lead outside the list) and no proxy is used; any 2xx answer counts as delivered.
/// </summary>
public sealed class WebhookSender(HttpClient http, WebhookDestinations destinations, TimeProvider time)
{
    /// <summary>
    /// Shorter than the keep-alive time-outs of common receivers (gunicorn 2 s, Node and Apache 5 s), so that a
    /// connection is seldom reused just as the receiver closes it; a burst of deliveries still shares one.
    /// </summary>
    private static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1);

    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public string? Refusal(string url) => destinations.Refusal(url);

    public async Task<ActionOutcome> SendAsync(RuleAction action, WebhookDocument document, CancellationToken cancellationToken)
    {
        if (destinations.Refusal(action.Target) is { } refusal)
        {
            return ActionOutcome.Failure($"webhook refused: {refusal}");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(document, EventJson.Default.WebhookDocument);
        try
        {
            try
            {
                return await PostAsync(action, document, body, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ResponseEnded)
            {
                // The receiver closed the connection without a word, most often a kept-alive one it closed as this
                // request went out on it (measured with Python's http.server): once more at once, on a new connection.
                // A receiver that did take the first one drops the second by its deliveryId, as after any retry.
                return await PostAsync(action, document, body, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException ex)
        {
            return ActionOutcome.Failure($"webhook {action.Target}: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.Message})" : string.Empty)}");
        }
    }

    private async Task<ActionOutcome> PostAsync(RuleAction action, WebhookDocument document, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, action.Target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Gatehouse", "1"));
        request.Headers.Add("X-Gatehouse-Event", document.Event.Kind);
        request.Headers.Add("X-Gatehouse-Delivery", document.DeliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (action.Secret is { Length: > 0 } secret)
        {
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, time.GetUtcNow(), body));
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var text = $"webhook {action.Target}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        return response.IsSuccessStatusCode ? ActionOutcome.Success(text) : ActionOutcome.Failure(text);
    }
}
