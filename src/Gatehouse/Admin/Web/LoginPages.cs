using System.Security.Claims;
using System.Text;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QRCoder;

namespace Gatehouse.Admin.Web;

/// <summary>
/// /ui/login: the password, then the code of the authenticator app, or, at an administrator's first browser login,
/// the enrolment of that app (a QR code of a new secret, confirmed with a code, then the recovery codes shown once).
/// Every refusal says the same thing, whether the name is unknown, the password or code wrong, or the account locked.
/// An address with too many failed steps (<see cref="AdminAddressThrottle"/>) gets 429 before anything is checked.
/// </summary>
internal static partial class LoginPages
{
    private const string Refused = "Wrong name, password or code, or too many failures: the account is then locked for 15 minutes.";
    private const string EnrolmentPurpose = "Gatehouse.Admin.Web.Enrolment";

    public static void Map(IEndpointRouteBuilder ui)
    {
        var login = ui.MapGroup("/login");
        login.MapGet("/", (HttpContext http) => PasswordPage(http, null, StatusCodes.Status200OK)).AllowAnonymous();
        login.MapPost("/", CheckPasswordAsync).AllowAnonymous();
        login.MapGet("/code", (HttpContext http) => http.User.HasClaim(WebAuthentication.EnrolClaim, "true") ? Results.Redirect(WebAdmin.Root + "/login/enrol") : CodePage(http, null))
            .RequireAuthorization(WebAuthentication.Pending);
        login.MapPost("/code", CheckCodeAsync).RequireAuthorization(WebAuthentication.Pending);
        login.MapGet("/enrol", (HttpContext http) => http.User.HasClaim(WebAuthentication.EnrolClaim, "true") ? EnrolPage(http, AdminLogin.NewSecret(), null) : Results.Redirect(WebAdmin.Root + "/login/code"))
            .RequireAuthorization(WebAuthentication.Pending);
        login.MapPost("/enrol", EnrolAsync).RequireAuthorization(WebAuthentication.Pending);
        ui.MapPost("/logout", async (HttpContext http, AuditTrail audit) =>
            {
                await audit.RecordAsync(WebAuthentication.Actor(http), "admin.logout", http.User.Identity!.Name!, null, null, http.RequestAborted).ConfigureAwait(false);
                await http.SignOutAsync(WebAuthentication.Scheme).ConfigureAwait(false);
                return Results.Redirect(WebAdmin.Root + "/login");
            })
            .RequireAuthorization(WebAuthentication.Read);
    }

    private static async Task<IResult> CheckPasswordAsync(HttpContext http, AdminLogin login, AdminAddressThrottle throttle)
    {
        if (TooManyFailures(http, throttle) is { } tooMany)
        {
            return tooMany;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var (outcome, administrator) = await login.CheckPasswordAsync(form["name"].ToString(), form["password"].ToString(), From(http), http.RequestAborted).ConfigureAwait(false);
        if (outcome != AdminLoginOutcome.Passed)
        {
            throttle.Fail(From(http));
            return PasswordPage(http, Refused, StatusCodes.Status401Unauthorized);
        }

        var enrol = administrator!.TotpSecret is null;
        await http.SignInAsync(WebAuthentication.PendingScheme, WebAuthentication.Principal(WebAuthentication.PendingScheme, administrator, new Claim(WebAuthentication.EnrolClaim, enrol ? "true" : "false")))
            .ConfigureAwait(false);
        return Results.Redirect(WebAdmin.Root + (enrol ? "/login/enrol" : "/login/code"));
    }

    private static async Task<IResult> CheckCodeAsync(HttpContext http, AdminLogin login, IAdminStore store, AdminAddressThrottle throttle)
    {
        if (TooManyFailures(http, throttle) is { } tooMany)
        {
            return tooMany;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var name = http.User.Identity!.Name!;
        var outcome = await login.CheckCodeAsync(name, form["code"].ToString(), From(http), http.RequestAborted).ConfigureAwait(false);
        if (outcome != AdminLoginOutcome.Passed)
        {
            throttle.Fail(From(http));
        }

        return outcome switch
        {
            AdminLoginOutcome.Passed => await SignInAsync(http, store, name, Results.Redirect(WebAdmin.Root + "/")).ConfigureAwait(false),
            AdminLoginOutcome.Locked => await RestartAsync(http).ConfigureAwait(false),
            _ => CodePage(http, Refused),
        };
    }

    private static async Task<IResult> EnrolAsync(HttpContext http, AdminLogin login, IAdminStore store, AdminAddressThrottle throttle)
    {
        if (TooManyFailures(http, throttle) is { } tooMany)
        {
            return tooMany;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var name = http.User.Identity!.Name!;
        string secret;
        try
        {
            var enrolment = Protector(http).Unprotect(form["enrolment"].ToString()).Split('\n');
            if (enrolment.Length != 2 || enrolment[0] != name)
            {
                return await RestartAsync(http).ConfigureAwait(false);
            }

            secret = enrolment[1];
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Expired (after the pending login's own lifetime) or altered: start again.
            return await RestartAsync(http).ConfigureAwait(false);
        }

        var (outcome, codes) = await login.EnrolAsync(name, secret, form["code"].ToString(), From(http), http.RequestAborted).ConfigureAwait(false);
        if (outcome != AdminLoginOutcome.Passed)
        {
            throttle.Fail(From(http));
        }

        if (outcome == AdminLoginOutcome.Refused && await store.FindAsync(name, http.RequestAborted).ConfigureAwait(false) is { TotpSecret: null })
        {
            // A wrong code: the same secret again, so the app need not be set up twice.
            return EnrolPage(http, secret, Refused);
        }

        if (outcome != AdminLoginOutcome.Passed)
        {
            return await RestartAsync(http).ConfigureAwait(false);
        }

        var list = Html.Join(codes.Select(code => Html.Of($"<li><code>{code}</code></li>")));
        var shown = WebPage.Render(http, "Recovery codes", Html.Of($"""
            <p>Your authenticator app is set up. Keep these recovery codes somewhere safe, away from the phone: each one
            replaces a code from the app once, if the phone is lost. They are shown only now; Gatehouse keeps only their hashes.</p>
            <ol class="codes">{list}</ol>
            <p><a href="{WebAdmin.Root}/">Continue to the dashboard</a></p>
            """));
        return await SignInAsync(http, store, name, shown).ConfigureAwait(false);
    }

    /// <summary>Ends the half-done login and opens the session, with the role the store holds now.</summary>
    private static async Task<IResult> SignInAsync(HttpContext http, IAdminStore store, string name, IResult then)
    {
        await http.SignOutAsync(WebAuthentication.PendingScheme).ConfigureAwait(false);
        if (await store.FindAsync(name, http.RequestAborted).ConfigureAwait(false) is not { } administrator)
        {
            return PasswordPage(http, Refused, StatusCodes.Status401Unauthorized);
        }

        await http.SignInAsync(WebAuthentication.Scheme, WebAuthentication.Principal(WebAuthentication.Scheme, administrator)).ConfigureAwait(false);
        return then;
    }

    private static async Task<IResult> RestartAsync(HttpContext http)
    {
        await http.SignOutAsync(WebAuthentication.PendingScheme).ConfigureAwait(false);
        return PasswordPage(http, Refused, StatusCodes.Status401Unauthorized);
    }

    /// <summary>429 (with Retry-After) for an address over its limit of failed steps, logged with the reason; null when it may try.</summary>
    private static IResult? TooManyFailures(HttpContext http, AdminAddressThrottle throttle)
    {
        if (throttle.BlockedUntil(From(http)) is not { } until)
        {
            return null;
        }

        var retry = Math.Max(1, (int)Math.Ceiling((until - http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()).TotalSeconds));
        LogTooManyFailures(WebAdmin.WebLogger(http), From(http), AdminAddressThrottle.MaxFailures, (int)AdminAddressThrottle.Window.TotalMinutes, retry);
        http.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return PasswordPage(http, $"Too many failed logins from your address: try again in {(retry + 59) / 60} minute(s).", StatusCodes.Status429TooManyRequests);
    }

    private static IResult PasswordPage(HttpContext http, string? error, int status) =>
        WebPage.Render(http, "Log in", Html.Of($"""
            {WebPage.Notice(error, error: true)}
            {WebPage.Form(http, "/login", Html.Of($"""
                <label for="name">Name</label><input id="name" name="name" autocomplete="username" required autofocus maxlength="64">
                <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128">
                """), "Next")}
            """), status);

    private static IResult CodePage(HttpContext http, string? error) =>
        WebPage.Render(http, "Second factor", Html.Of($"""
            {WebPage.Notice(error, error: true)}
            <p>Enter the 6-digit code your authenticator app shows for Gatehouse, or one of your recovery codes.</p>
            {WebPage.Form(http, "/login/code", Html.Of($"""
                <label for="code">Code</label><input id="code" name="code" autocomplete="one-time-code" required autofocus maxlength="16">
                """), "Log in")}
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized);

    /// <summary>The secret travels in the form, encrypted and valid for as long as the half-done login, until a code proves the app has it.</summary>
    private static IResult EnrolPage(HttpContext http, string secret, string? error)
    {
        var name = http.User.Identity!.Name!;
        var enrolment = Protector(http).Protect($"{name}\n{secret}", WebAuthentication.PendingLifetime);
        return WebPage.Render(http, "Set up your authenticator app", Html.Of($"""
            {WebPage.Notice(error, error: true)}
            <p>Every administrator logs in with a password and a code from an authenticator app (TOTP). Scan this code with
            the app, or type the key into it, then enter the 6-digit code it shows.</p>
            {QrCode(AdminLogin.OtpAuthUri(name, secret))}
            <p>Key: <code id="secret">{secret}</code></p>
            {WebPage.Form(http, "/login/enrol", Html.Of($"""
                <input type="hidden" name="enrolment" value="{enrolment}">
                <label for="code">Code</label><input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required autofocus maxlength="6">
                """), "Confirm")}
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized);
    }

    /// <summary>The QR code as inline SVG: one path of dark modules, no style attribute (the CSP allows none) and no image request.</summary>
    private static Html QrCode(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var size = data.ModuleMatrix.Count;
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                if (data.ModuleMatrix[y][x])
                {
                    path.Append(System.Globalization.CultureInfo.InvariantCulture, $"M{x} {y}h1v1h-1z");
                }
            }
        }

        return Html.Generated($"""<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" aria-label="QR code to scan with the authenticator app"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>""");
    }

    private static ITimeLimitedDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(EnrolmentPurpose).ToTimeLimitedDataProtector();

    private static string From(HttpContext http) => WebAdmin.Address(http);

    [LoggerMessage(271, LogLevel.Warning, "Web admin login refused from {Address} without checking it: {Failures} failed login steps from this address within {Minutes} minutes (retry in {RetrySeconds} s)")]
    private static partial void LogTooManyFailures(ILogger logger, string address, int failures, int minutes, int retrySeconds);
}
