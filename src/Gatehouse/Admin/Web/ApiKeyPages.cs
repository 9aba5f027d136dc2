using System.Globalization;
using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin.Web;

/// <summary>
/// /ui/apikeys: the API keys (names, scopes, expiry, the users they reach; the keys themselves are not stored);
/// creating one, whose secret is shown on the answer to that form only, and revoking one. Through
/// <see cref="AdminAccounts"/>, as <c>gatehouse apikey add|remove</c>. Changes need the administrator role.
/// </summary>
internal static class ApiKeyPages
{
    public static void Map(IEndpointRouteBuilder ui)
    {
        ui.MapGet("/apikeys", (HttpContext http, IAdminStore keys) => ListAsync(http, keys, null, null, null)).RequireAuthorization(WebAuthentication.Read);
        ui.MapPost("/apikeys", async (HttpContext http, AdminAccounts administration, IAdminStore keys) =>
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
                var name = form["name"].ToString();
                if (form["scope"].ToString() is not ("read" or "write" or "metrics") || !Enum.TryParse<ApiKeyScope>(form["scope"].ToString(), ignoreCase: true, out var scope))
                {
                    return await ListAsync(http, keys, null, "Choose a scope: read, write or metrics.", null).ConfigureAwait(false);
                }

                DateTimeOffset? expires = null;
                if (form["expires"].ToString() is { Length: > 0 } text)
                {
                    if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    {
                        return await ListAsync(http, keys, null, $"'{text}' is not a date; write for example 2027-06-30.", null).ConfigureAwait(false);
                    }

                    expires = parsed;
                }

                var (secret, error) = await administration.AddKeyAsync(
                    WebAuthentication.Actor(http), name, scope, expires, http.RequestAborted, Names(form["users"].ToString()), Names(form["groups"].ToString())).ConfigureAwait(false);
                return secret is null
                    ? await ListAsync(http, keys, null, error, null).ConfigureAwait(false)
                    : await ListAsync(http, keys, $"API key '{name}' created.", null, secret).ConfigureAwait(false);
            })
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapPost("/apikeys/{name}/revoke", async (string name, HttpContext http, AdminAccounts administration, IAdminStore keys) =>
                await administration.RemoveKeyAsync(WebAuthentication.Actor(http), name, http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await ListAsync(http, keys, null, refused, null).ConfigureAwait(false)
                    : await ListAsync(http, keys, $"API key '{name}' revoked: it is refused from the next request on.", null, null).ConfigureAwait(false))
            .RequireAuthorization(WebAuthentication.Write);
    }

    private static string[] Names(string text) => text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <param name="secret">The key just created, shown this once.</param>
    private static async Task<IResult> ListAsync(HttpContext http, IAdminStore store, string? notice, string? error, string? secret)
    {
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var keys = await store.ListKeysAsync(http.RequestAborted).ConfigureAwait(false);
        var canChange = WebAuthentication.CanChange(http);
        var rows = Html.Join(keys.Select(key => Html.Of($"""
            <tr><td>{key.Name}</td><td>{key.Scope.ToString().ToLowerInvariant()}</td><td>{WebPage.Time(key.CreatedAt)}</td>
            <td>{(key.ExpiresAt is null ? "never" : WebPage.Time(key.ExpiresAt) + (key.IsExpired(now) ? " (expired)" : string.Empty))}</td>
            <td>{(key.IsLimited ? string.Join(", ", (key.Users ?? []).Select(user => "user " + user).Concat((key.Groups ?? []).Select(group => "group " + group))) : "every user")}</td>
            <td>{(canChange ? WebPage.Form(http, $"/apikeys/{Uri.EscapeDataString(key.Name)}/revoke", Html.Empty, "Revoke", "inline") : Html.Empty)}</td></tr>
            """)));
        var shown = secret is null ? Html.Empty : Html.Of($"""
            <div class="notice" role="status"><p>Copy the key now: it is shown only on this page, and Gatehouse keeps only its hash.</p>
            <p><code id="new-key">{secret}</code></p></div>
            """);
        var create = canChange
            ? Html.Of($"""
                <h2>New API key</h2>
                {WebPage.Form(http, "/apikeys", Html.Of($"""
                    <label for="name">Name (who or what uses it)</label><input id="name" name="name" required maxlength="64" autocomplete="off">
                    <label for="scope">Scope</label>
                    <select id="scope" name="scope" required><option value="read">read: every GET</option><option value="write">write: also changes</option><option value="metrics">metrics: GET /metrics only</option></select>
                    <label for="expires">Expires (UTC date; empty: never)</label><input id="expires" name="expires" type="date">
                    <label for="users">Only these users (names, comma-separated; empty: every user)</label><input id="users" name="users" maxlength="1000" autocomplete="off">
                    <label for="groups">Only the members of these groups</label><input id="groups" name="groups" maxlength="1000" autocomplete="off">
                    """), "Create key")}
                """)
            : Html.Empty;
        return WebPage.Render(http, "API keys", Html.Of($"""
            {WebPage.Notice(notice)}{WebPage.Notice(error, error: true)}{shown}
            <div class="scroll"><table id="apikeys">
            <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Reaches</th><th scope="col"><span class="hidden">Action</span></th></tr></thead>
            <tbody>{rows}</tbody>
            </table></div>
            {create}
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}
