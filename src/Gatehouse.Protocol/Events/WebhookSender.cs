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
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false })
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
        using var request = new HttpRequestMessage(HttpMethod.Post, action.Target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Gatehouse", "1"));
        request.Headers.Add("X-Gatehouse-Event", document.Event.Kind);
        request.Headers.Add("X-Gatehouse-Delivery", document.DeliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (action.Secret is { Length: > 0 } secret)
        {
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, time.GetUtcNow(), body));
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var text = $"webhook {action.Target}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            return response.IsSuccessStatusCode ? ActionOutcome.Success(text) : ActionOutcome.Failure(text);
        }
        catch (HttpRequestException ex)
        {
            return ActionOutcome.Failure($"webhook {action.Target}: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.Message})" : string.Empty)}");
        }
    }
}
