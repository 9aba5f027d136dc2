using System.Security.Claims;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin.Web;

/// <summary>
/// Browser sessions of administrators. Two cookies: a short one while the login is half done (password checked, code
/// not yet), then the session itself, which ends after <see cref="IdleTimeout"/> without a request and is checked
/// against the store on every request (a removed administrator, or one whose role changed, is signed out at once).
/// Both are HttpOnly, SameSite=Strict, Secure whenever the listener speaks HTTPS, and encrypted with a key that lives
/// only in this process's memory: a restart signs everyone out, and no key file exists to steal.
/// </summary>
internal static class WebAuthentication
{
    public const string Scheme = "AdminSession";
    public const string PendingScheme = "AdminLogin";
    public const string Read = "web-read";
    public const string Write = "web-write";
    public const string Pending = "web-pending";

    /// <summary>Set on the half-done login when the administrator has no second factor yet, so the next step is enrolment.</summary>
    public const string EnrolClaim = "enrol";

    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(15);

    public static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(5);

    public static void Add(IServiceCollection services)
    {
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        new AuthenticationBuilder(services)
            .AddCookie(Scheme, cookie =>
            {
                Configure(cookie, "gatehouse-admin", WebAdmin.Root, IdleTimeout);
                cookie.SlidingExpiration = true;
                cookie.Events.OnValidatePrincipal = StillAllowedAsync;
            })
            .AddCookie(PendingScheme, cookie =>
            {
                Configure(cookie, "gatehouse-admin-login", WebAdmin.Root + "/login", PendingLifetime);
                cookie.SlidingExpiration = false;
            });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "gatehouse-admin-csrf";
            antiforgery.Cookie.Path = WebAdmin.Root;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.FormFieldName = "csrf";
            antiforgery.HeaderName = null;
            // WebHeaders sends DENY, stricter than the SAMEORIGIN antiforgery would add.
            antiforgery.SuppressXFrameOptionsHeader = true;
        });
        services.AddAuthorization(options =>
        {
            options.AddPolicy(Read, Signed(Scheme).RequireClaim(ClaimTypes.Role, Role(AdminRole.Operator), Role(AdminRole.Administrator)).Build());
            options.AddPolicy(Write, Signed(Scheme).RequireClaim(ClaimTypes.Role, Role(AdminRole.Administrator)).Build());
            options.AddPolicy(Pending, Signed(PendingScheme).Build());
        });
    }

    public static string Role(AdminRole role) => role.ToString().ToLowerInvariant();

    public static ClaimsPrincipal Principal(string scheme, Administrator administrator, params Claim[] more) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, administrator.Name), new Claim(ClaimTypes.Role, Role(administrator.Role)), .. more], scheme));

    public static bool CanChange(HttpContext http) => http.User.IsInRole(Role(AdminRole.Administrator));

    /// <summary>Who the audit trail says made a change through the web admin: the administrator, from the browser's address.</summary>
    public static AuditActor Actor(HttpContext http) =>
        new($"web:{http.User.Identity?.Name ?? "?"}", WebAdmin.Address(http));

    private static AuthorizationPolicyBuilder Signed(string scheme) => new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser();

    private static void Configure(CookieAuthenticationOptions cookie, string name, string path, TimeSpan lifetime)
    {
        cookie.Cookie.Name = name;
        cookie.Cookie.Path = path;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.ExpireTimeSpan = lifetime;
        cookie.LoginPath = WebAdmin.Root + "/login";
        // A page asked for without a session leads to the login form (never back to a URL from the request: no open
        // redirect); anything else is refused outright, as is a change asked for by an operator.
        cookie.Events.OnRedirectToLogin = context =>
        {
            if (HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.Redirect(WebAdmin.Root + "/login");
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }

            return Task.CompletedTask;
        };
        cookie.Events.OnRedirectToAccessDenied = context =>
        {
            WebAdmin.LogRefused(
                WebAdmin.WebLogger(context.HttpContext), context.Request.Method, context.Request.Path, WebAdmin.Address(context.HttpContext),
                $"'{context.HttpContext.User.Identity?.Name}' is an operator, and operators cannot change anything");
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
    }

    private static async Task StillAllowedAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var store = context.HttpContext.RequestServices.GetRequiredService<IAdminStore>();
        var administrator = name is null ? null : await store.FindAsync(name, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (administrator is null || !context.Principal!.IsInRole(Role(administrator.Role)))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme).ConfigureAwait(false);
        }
    }
}
