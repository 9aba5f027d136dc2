using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin.Web;

/// <summary>The frame of every page (navigation, one stylesheet, one script file) and the forms, each with its antiforgery token.</summary>
internal static class WebPage
{
    public static IResult Render(HttpContext http, string title, Html body, int status = StatusCodes.Status200OK)
    {
        var signedIn = http.User.Identity is { IsAuthenticated: true, AuthenticationType: WebAuthentication.Scheme };
        var navigation = signedIn
            ? Html.Of($"""
                <header><nav aria-label="Main">
                <a href="{WebAdmin.Root}/">Dashboard</a> <a href="{WebAdmin.Root}/users">Users</a> <a href="{WebAdmin.Root}/groups">Groups</a> <a href="{WebAdmin.Root}/folders">Folders</a>
                <a href="{WebAdmin.Root}/sessions">Sessions</a> <a href="{WebAdmin.Root}/transfers">Transfers</a> <a href="{WebAdmin.Root}/bans">Bans</a>
                <a href="{WebAdmin.Root}/apikeys">API keys</a> <a href="{WebAdmin.Root}/audit">Audit log</a>
                <span class="who">{http.User.Identity!.Name} ({(WebAuthentication.CanChange(http) ? "administrator" : "operator, read-only")})</span>
                {Form(http, "/logout", Html.Empty, "Log out", "inline")}
                </nav></header>
                """)
            : Html.Empty;
        var page = Html.Of($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · Gatehouse</title>
            <link rel="stylesheet" href="{WebAdmin.Root}/static/admin.css">
            <script src="{WebAdmin.Root}/static/admin.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            {navigation}
            <main id="main">
            <h1>{title}</h1>
            {body}
            </main>
            </body>
            </html>
            """);
        return Results.Content(page.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>A POST form to <paramref name="action"/> (under /ui) carrying the antiforgery token that every POST needs.</summary>
    public static Html Form(HttpContext http, string action, Html fields, string submit, string? style = null)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return Html.Of($"""<form method="post" action="{WebAdmin.Root}{action}" class="{style ?? "stacked"}"><input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">{fields}<button type="submit">{submit}</button></form>""");
    }

    public static Html Notice(string? text, bool error = false) =>
        text is null ? Html.Empty : Html.Of($"""<p class="{(error ? "error" : "notice")}" role="{(error ? "alert" : "status")}">{text}</p>""");

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.00} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };

    public static string Time(DateTimeOffset? at) => at is { } time ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "never";
}
