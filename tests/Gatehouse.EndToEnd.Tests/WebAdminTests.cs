using System.Net;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The web admin over HTTP against the real server: the two-step login with TOTP enrolment and recovery codes, the
/// lockouts, the cookie flags and security headers, antiforgery on every POST, and the operator's read-only role.
/// </summary>
public sealed partial class WebAdminTests
{
    public const string AdminPassword = "web-admin-Passw0rd!";

    /// <summary>A server with the admin listener and these administrators (name, role), created with the CLI.</summary>
    internal static Task<AdminApi> StartAsync(params (string Name, string Role)[] administrators) =>
        AdminApi.StartAsync(prepare: async settings =>
        {
            foreach (var (name, role) in administrators)
            {
                var (code, output) = await GatehouseServer.RunCliAsync(settings, AdminPassword + "\n", "admin", "add", name, "--password-stdin", "--role", role);
                Assert.True(code == 0, output);
            }
        });

    [Fact(Timeout = 120_000)]
    public async Task The_first_login_enrols_totp_then_a_session_needs_password_and_code_and_each_recovery_code_works_once()
    {
        await using var api = await StartAsync(("root", "administrator"));
        using var browser = new WebAdminClient(api.Port);

        var anonymous = await browser.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.Status);
        Assert.Equal("/ui/login", anonymous.Response.Headers.Location?.OriginalString);
        AssertSecurityHeaders(anonymous.Response);

        var login = await browser.GetAsync("/ui/login");
        Assert.Equal(HttpStatusCode.OK, login.Status);
        AssertSecurityHeaders(login.Response);
        AssertNoInlineScriptOrStyle(login.Body);

        var (_, recovery) = await browser.EnrolAsync("root", AdminPassword);
        var dashboard = await browser.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, dashboard.Status);
        Assert.Contains("Sessions now", dashboard.Body, StringComparison.Ordinal);
        AssertSecurityHeaders(dashboard.Response);
        AssertNoInlineScriptOrStyle(dashboard.Body);
        foreach (var page in new[] { "/ui/users", "/ui/users/alice", "/ui/sessions", "/ui/bans", "/ui/audit", "/ui/live" })
        {
            var shown = await browser.GetAsync(page);
            Assert.True(shown.Status == HttpStatusCode.OK, $"{page}: {(int)shown.Status}");
            AssertSecurityHeaders(shown.Response);
            AssertNoInlineScriptOrStyle(shown.Body);
        }

        var css = await browser.GetAsync("/ui/static/admin.css");
        Assert.Equal("text/css", css.Response.Content.Headers.ContentType?.MediaType);

        var logout = await browser.PostAsync("/ui/logout", []);
        Assert.Equal(HttpStatusCode.Redirect, logout.Status);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/ui/")).Status);

        // Enrolled now: the password leads to the code step, and a recovery code opens a session once.
        var password = await browser.PasswordAsync("root", AdminPassword);
        Assert.Equal("/ui/login/code", password.Response.Headers.Location?.OriginalString);
        AssertPendingCookie(password.Response);
        var opened = await browser.CodeAsync(recovery[0].ToUpperInvariant());
        Assert.True(opened.Status == HttpStatusCode.Redirect, $"{(int)opened.Status}: {opened.Body}");
        Assert.Equal("/ui/", opened.Response.Headers.Location?.OriginalString);
        AssertSessionCookie(opened.Response, secure: false);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/ui/")).Status);
        await browser.PostAsync("/ui/logout", []);

        await browser.PasswordAsync("root", AdminPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.CodeAsync(recovery[0])).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/ui/")).Status);

        await browser.PasswordAsync("root", AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.CodeAsync(recovery[1])).Status);
        var audit = await browser.GetAsync("/ui/audit");
        Assert.Contains("admin.totp.enrol", audit.Body, StringComparison.Ordinal);
        Assert.Contains("second factor=totp (enrolment)", audit.Body, StringComparison.Ordinal);
        Assert.Contains("second factor=recovery code (9 left)", audit.Body, StringComparison.Ordinal);
        Assert.Contains("reason=wrong code (1 of 5)", audit.Body, StringComparison.Ordinal);
        Assert.Contains("admin.logout", audit.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Five_wrong_passwords_lock_the_administrator_even_against_the_right_one()
    {
        await using var api = await StartAsync(("root", "administrator"));
        using var browser = new WebAdminClient(api.Port);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var refused = await browser.PasswordAsync("root", "wrong-password-" + attempt);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
            Assert.Contains("Wrong name, password or code", refused.Body, StringComparison.Ordinal);
        }

        var locked = await browser.PasswordAsync("root", AdminPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.Status);
        // The same answer as for a wrong password or an unknown name: the page does not tell which.
        Assert.Contains("Wrong name, password or code", locked.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PasswordAsync("nobody", AdminPassword)).Status);

        var (code, export) = await api.Server.RunCliAsync(null, "audit", "export");
        Assert.True(code == 0, export);
        Assert.Contains("wrong password (5 of 5): locked until", export, StringComparison.Ordinal);
        Assert.Matches("reason=locked until", export);
        Assert.Contains("reason=unknown administrator", export, StringComparison.Ordinal);
        Assert.Contains("Web admin login refused for 'root' from 127.0.0.1: wrong password (5 of 5): locked until", api.Server.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_address_with_too_many_failed_logins_gets_429_before_any_password_is_checked()
    {
        await using var api = await StartAsync(("root", "administrator"));
        using var browser = new WebAdminClient(api.Port);
        // Many names, so that no account reaches its own lockout: the address alone is stopped.
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PasswordAsync($"guess{attempt}", "wrong-password")).Status);
        }

        var refused = await browser.PasswordAsync("root", AdminPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.True(int.Parse(refused.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 800 and <= 900);
        Assert.Contains("Too many failed logins from your address", refused.Body, StringComparison.Ordinal);
        Assert.True(await api.Server.WaitForLogAsync("Web admin login refused from 127.0.0.1 without checking it: 20 failed login steps from this address within 15 minutes", TimeSpan.FromSeconds(5)), api.Server.Output);

        // The administrator was not locked by it: the audit trail has no refusal of root.
        Assert.DoesNotContain(await AdminApi.AuditAsync(api.Server), record => record.GetProperty("action").GetString() == "admin.login.refused" && record.GetProperty("target").GetString() == "root");
    }

    [Fact(Timeout = 120_000)]
    public async Task Five_wrong_codes_lock_the_administrator_and_end_the_half_done_login()
    {
        await using var api = await StartAsync(("root", "administrator"));
        using (var first = new WebAdminClient(api.Port))
        {
            await first.EnrolAsync("root", AdminPassword);
        }

        using var browser = new WebAdminClient(api.Port);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PasswordAsync("root", AdminPassword)).Status);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var refused = await browser.CodeAsync("aaaaa-aaaa" + (char)('a' + attempt));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        }

        var fifth = await browser.CodeAsync("12345");
        Assert.Equal(HttpStatusCode.Unauthorized, fifth.Status);
        // The half-done login is over: the code step leads back to the password.
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/ui/login/code")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PasswordAsync("root", AdminPassword)).Status);
        var (code, export) = await api.Server.RunCliAsync(null, "audit", "export");
        Assert.True(code == 0, export);
        Assert.Contains("wrong code (5 of 5): locked until", export, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task After_a_totp_reset_with_the_cli_the_next_login_enrols_a_new_app_and_the_old_codes_are_gone()
    {
        await using var api = await StartAsync(("root", "administrator"));
        IReadOnlyList<string> recovery;
        using (var first = new WebAdminClient(api.Port))
        {
            (_, recovery) = await first.EnrolAsync("root", AdminPassword);
        }

        var (code, output) = await api.Server.RunCliAsync(null, "admin", "totp-reset", "root");
        Assert.True(code == 0, output);
        Assert.Contains("reset", output, StringComparison.Ordinal);
        Assert.Equal(1, (await api.Server.RunCliAsync(null, "admin", "totp-reset", "nobody")).ExitCode);

        // The password now leads to enrolment, not to the code step; a recovery code of the old app is no more.
        using var browser = new WebAdminClient(api.Port);
        var password = await browser.PasswordAsync("root", AdminPassword);
        Assert.Equal("/ui/login/enrol", password.Response.Headers.Location?.OriginalString);
        await browser.GetAsync("/ui/login/enrol");
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/ui/login/code", new() { ["code"] = recovery[0] })).Status);
        using var again = new WebAdminClient(api.Port);
        await again.EnrolAsync("root", AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/ui/")).Status);

        var reset = (await AdminApi.AuditAsync(api.Server)).Single(record => record.GetProperty("action").GetString() == "admin.totp.reset");
        Assert.Equal(("root", "second factor=totp"), (reset.GetProperty("target").GetString(), reset.GetProperty("before").GetString()));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_post_without_its_antiforgery_token_is_refused_and_an_operator_can_read_but_not_change()
    {
        await using var api = await StartAsync(("root", "administrator"), ("watcher", "operator"));
        using var admin = new WebAdminClient(api.Port);
        await admin.GetAsync("/ui/login");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/ui/login", new() { ["name"] = "root", ["password"] = AdminPassword }, token: false)).Status);

        await admin.EnrolAsync("root", AdminPassword);
        await admin.GetAsync("/ui/users");
        var fields = new Dictionary<string, string> { ["name"] = "carol", ["password"] = "Tr1cky-Horse-Staple" };
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/ui/users", fields, token: false)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/ui/users", new(fields) { ["csrf"] = "forged" }, token: false)).Status);
        Assert.DoesNotContain("/ui/users/carol", (await admin.GetAsync("/ui/users")).Body, StringComparison.Ordinal);

        // A token of another browser's session is refused too.
        using var watcher = new WebAdminClient(api.Port);
        await watcher.EnrolAsync("watcher", AdminPassword);
        var users = await watcher.GetAsync("/ui/users");
        Assert.Equal(HttpStatusCode.OK, users.Status);
        Assert.DoesNotContain("Create user", users.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/ui/users", new(fields) { ["csrf"] = watcher.Token! }, token: false)).Status);

        // The operator's own valid token does not make it a change: refused for the role.
        Assert.Equal(HttpStatusCode.Forbidden, (await watcher.PostAsync("/ui/users", fields)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await watcher.PostAsync("/ui/sessions/x/kick", [])).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await watcher.PostAsync("/ui/users/alice/mounts", new() { ["folder"] = "x", ["at"] = "/x" })).Status);

        var created = await admin.PostAsync("/ui/users", fields);
        Assert.True(created.Status == HttpStatusCode.OK, created.Body);
        Assert.Contains("User &#x27;carol&#x27; created.", created.Body, StringComparison.Ordinal);
        Assert.Contains("/ui/users/carol", created.Body, StringComparison.Ordinal);
        Assert.Contains("Web admin refused POST /ui/users from 127.0.0.1: the form's antiforgery token is missing or not valid for this browser", api.Server.Output, StringComparison.Ordinal);
        Assert.Contains("Web admin refused POST /ui/users from 127.0.0.1: 'watcher' is an operator, and operators cannot change anything", api.Server.Output, StringComparison.Ordinal);
        var weak = await admin.PostAsync("/ui/users", new() { ["name"] = "dave", ["password"] = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.Status);
        Assert.Contains("Accounts:PasswordMinLength", weak.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Over_https_the_session_cookie_is_secure()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-web-tls-");
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=gatehouse-web-test", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            var (certificateFile, keyFile) = (Path.Combine(directory.FullName, "admin.crt"), Path.Combine(directory.FullName, "admin.key"));
            await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
            await using var api = await AdminApi.StartAsync(
                new() { ["Admin__CertificateFile"] = certificateFile, ["Admin__KeyFile"] = keyFile },
                async settings =>
                {
                    var (code, output) = await GatehouseServer.RunCliAsync(settings, AdminPassword + "\n", "admin", "add", "root", "--password-stdin");
                    Assert.True(code == 0, output);
                });
            using var browser = new WebAdminClient(api.Port, "https", (_, served, _, _) => served?.Thumbprint == certificate.Thumbprint);
            var password = await browser.PasswordAsync("root", AdminPassword);
            Assert.Equal(HttpStatusCode.Redirect, password.Status);
            Assert.Contains(password.Response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("gatehouse-admin-login=", StringComparison.Ordinal) && cookie.Contains("; secure", StringComparison.OrdinalIgnoreCase));
            await browser.EnrolAsync("root", AdminPassword);
            Assert.All(browser.Cookies, cookie => Assert.True(cookie.Secure, $"{cookie.Name} is not Secure"));
            Assert.Contains(browser.Cookies, cookie => cookie.Name == "gatehouse-admin");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    private static void AssertNoInlineScriptOrStyle(string html)
    {
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(EventHandlerAttribute(), html);
    }

    private static void AssertPendingCookie(HttpResponseMessage response) =>
        AssertCookie(response, "gatehouse-admin-login", "/ui/login", secure: false);

    private static void AssertSessionCookie(HttpResponseMessage response, bool secure) =>
        AssertCookie(response, "gatehouse-admin", "/ui", secure);

    private static void AssertCookie(HttpResponseMessage response, string name, string path, bool secure)
    {
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), header => header.StartsWith(name + "=", StringComparison.Ordinal) && !header.StartsWith(name + "=;", StringComparison.Ordinal));
        var attributes = cookie.Split("; ").Skip(1).Select(attribute => attribute.ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains($"path={path}", attributes);
        Assert.Equal(secure, attributes.Contains("secure"));
        // A session cookie: the browser forgets it when closed; the server ends it after 15 idle minutes.
        Assert.DoesNotContain(attributes, attribute => attribute.StartsWith("expires=", StringComparison.Ordinal) || attribute.StartsWith("max-age=", StringComparison.Ordinal));
    }

    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("\\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttribute();
}
