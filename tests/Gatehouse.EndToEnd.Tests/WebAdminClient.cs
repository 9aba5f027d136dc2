using System.Net;
using System.Text.RegularExpressions;
using OtpNet;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// A browser's side of the web admin over plain HTTP: a cookie jar, no automatic redirects (the tests look at them),
/// and the antiforgery token read from the last form, as a browser would post it back.
/// </summary>
internal sealed partial class WebAdminClient : IDisposable
{
    private readonly HttpClientHandler _handler;

    public WebAdminClient(int port, string scheme = "http", Func<HttpRequestMessage, System.Security.Cryptography.X509Certificates.X509Certificate2?, System.Security.Cryptography.X509Certificates.X509Chain?, System.Net.Security.SslPolicyErrors, bool>? certificateCheck = null)
    {
        _handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), ServerCertificateCustomValidationCallback = certificateCheck };
        Http = new HttpClient(_handler) { BaseAddress = new Uri($"{scheme}://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public HttpClient Http { get; }

    /// <summary>The antiforgery token of the last page read that had a form.</summary>
    public string? Token { get; private set; }

    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(string path)
    {
        var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Remember(body);
        return (response.StatusCode, body, response);
    }

    /// <param name="token">False: the form is posted without its antiforgery token.</param>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PostAsync(string path, Dictionary<string, string> fields, bool token = true)
    {
        var all = new Dictionary<string, string>(fields);
        if (token)
        {
            all["csrf"] = Token ?? throw new InvalidOperationException("No form was read before this POST.");
        }

        var response = await Http.PostAsync(path, new FormUrlEncodedContent(all));
        var body = await response.Content.ReadAsStringAsync();
        Remember(body);
        return (response.StatusCode, body, response);
    }

    /// <summary>The password step; returns where it leads (the code or enrolment step), or the refusal page.</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PasswordAsync(string name, string password)
    {
        await GetAsync("/ui/login");
        return await PostAsync("/ui/login", new() { ["name"] = name, ["password"] = password });
    }

    /// <summary>A first login: password, enrolment with a code computed from the secret the page shows; returns the secret and the recovery codes.</summary>
    public async Task<(string Secret, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(string name, string password)
    {
        var (status, body, response) = await PasswordAsync(name, password);
        Assert.True(status == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString == "/ui/login/enrol", $"{(int)status}: {body}");
        var page = await GetAsync("/ui/login/enrol");
        var secret = SecretPattern().Match(page.Body) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"No secret on: {page.Body}");
        var enrolment = EnrolmentPattern().Match(page.Body).Groups[1].Value;
        var done = await PostAsync("/ui/login/enrol", new() { ["enrolment"] = WebUtility.HtmlDecode(enrolment), ["code"] = Code(secret) });
        Assert.True(done.Status == HttpStatusCode.OK, $"{(int)done.Status}: {done.Body}");
        var codes = RecoveryPattern().Matches(done.Body).Select(code => code.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Count);
        return (secret, codes);
    }

    /// <summary>The second step with this code (TOTP or recovery).</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> CodeAsync(string code)
    {
        await GetAsync("/ui/login/code");
        return await PostAsync("/ui/login/code", new() { ["code"] = code });
    }

    public static string Code(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);

    public IEnumerable<Cookie> Cookies => _handler.CookieContainer.GetAllCookies();

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }

    private void Remember(string body)
    {
        if (TokenPattern().Match(body) is { Success: true } token)
        {
            Token = WebUtility.HtmlDecode(token.Groups[1].Value);
        }
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("""<code id="secret">([A-Z2-7]+)</code>""")]
    private static partial Regex SecretPattern();

    [GeneratedRegex("name=\"enrolment\" value=\"([^\"]+)\"")]
    private static partial Regex EnrolmentPattern();

    [GeneratedRegex("""<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>""")]
    private static partial Regex RecoveryPattern();
}
