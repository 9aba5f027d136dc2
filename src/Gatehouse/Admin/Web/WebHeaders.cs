using Microsoft.AspNetCore.Http;

namespace Gatehouse.Admin.Web;

/// <summary>
/// The headers every answer under /ui carries, redirects and refusals included: a Content-Security-Policy that allows
/// only this listener's own script and style files (no inline script or style, no other origin, no plugins, forms
/// posting only here), no framing (clickjacking), no MIME sniffing, no referrer, and nothing kept in caches.
/// </summary>
internal static class WebHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Path.StartsWithSegments(WebAdmin.Root))
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // As antiforgery sets them on pages with a form, so that it need not override (and warn about) other values.
            headers.CacheControl = "no-cache, no-store";
            headers.Pragma = "no-cache";
        }

        return next(http);
    }
}
