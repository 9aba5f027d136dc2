using System.Globalization;
using Microsoft.Playwright;
using OtpNet;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The web admin in a real browser (Debian's chromium, headless, driven by Playwright): the first login with TOTP
/// enrolment, creating a user and mounting a folder read-only, watching a slow upload's progress grow without a reload,
/// kicking that session, and finding each step in the audit log; with no Content-Security-Policy violation on the way.
/// </summary>
public sealed class WebAdminBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact(Timeout = 240_000)]
    public async Task An_administrator_logs_in_with_totp_creates_a_user_with_a_read_only_mount_watches_an_upload_and_kicks_it()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (scripts/test.sh installs it).");
        var shared = Directory.CreateTempSubdirectory("gatehouse-web-prices-");
        await using var api = await AdminApi.StartAsync(prepare: async settings =>
        {
            var (code, output) = await GatehouseServer.RunCliAsync(settings, WebAdminTests.AdminPassword + "\n", "admin", "add", "root", "--password-stdin");
            Assert.True(code == 0, output);
            await GatehouseServer.CliAsync(settings, "folder", "add", "prices", "--path", shared.FullName);
        });
        var local = Clients.RandomFile(shared.FullName, "upload.bin", 24 << 20);
        var violations = new List<string>();
        using var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Timeout = 30_000 });
        Task<(int ExitCode, string Output)>? upload = null;
        try
        {
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(20_000);
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                {
                    violations.Add(message.Text);
                }
            };
            var root = $"http://127.0.0.1:{api.Port}/ui";

            // Log in with the keyboard; the first login sets up the authenticator app from the secret the page shows.
            await page.GotoAsync(root + "/");
            Assert.EndsWith("/ui/login", page.Url, StringComparison.Ordinal);
            await page.Keyboard.TypeAsync("root");
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.TypeAsync(WebAdminTests.AdminPassword);
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync("**/ui/login/enrol");
            Assert.True(await page.Locator("svg.qr").IsVisibleAsync());
            var secret = await page.Locator("#secret").InnerTextAsync();
            await page.Locator("#code").FillAsync(new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow));
            await page.Locator("#code").PressAsync("Enter");
            await page.GetByRole(AriaRole.Heading, new() { Name = "Recovery codes" }).WaitForAsync();
            Assert.Equal(10, await page.Locator("ol.codes li").CountAsync());
            await page.GetByRole(AriaRole.Link, new() { Name = "Continue to the dashboard" }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" }).WaitForAsync();

            // A user, then a folder mounted read-only in their tree; the effective view shows it.
            await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
            await page.Locator("#name").FillAsync("bob");
            await page.Locator("#password").FillAsync("Tr1cky-Horse-Staple");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
            await page.GetByText("User 'bob' created.").WaitForAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "bob", Exact = true }).ClickAsync();
            await page.Locator("#folder").SelectOptionAsync("prices");
            await page.Locator("#at").FillAsync("/shared/prices");
            Assert.True(await page.Locator("input[name=readonly]").IsCheckedAsync());
            await page.GetByRole(AriaRole.Button, new() { Name = "Mount" }).ClickAsync();
            await page.GetByText("Folder 'prices' mounted at /shared/prices, read-only.").WaitForAsync();
            var mount = await page.Locator("#mounts tbody tr").InnerTextAsync();
            Assert.Contains("/shared/prices", mount, StringComparison.Ordinal);
            Assert.Contains("read-only", mount, StringComparison.Ordinal);
            var (listCode, listing) = await api.Server.RunCliAsync(null, "user", "show", "bob", "--effective");
            Assert.True(listCode == 0, listing);
            Assert.Contains("/shared/prices", listing, StringComparison.Ordinal);

            // A slow upload: its bytes grow on the dashboard while the page stays the same document (no reload).
            upload = Clients.RunAsync("curl", [
                "--silent", "--show-error", "--max-time", "60", "--limit-rate", "256k", "--user", $"alice:{GatehouseServer.Password}",
                "-T", local, $"ftp://127.0.0.1:{api.Server.ExplicitPort.ToString(CultureInfo.InvariantCulture)}/slow.bin"], TimeSpan.FromMinutes(4));
            await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard" }).ClickAsync();
            await page.EvaluateAsync("() => { window.gatehouseTestMarker = 'same document'; }");
            var bytes = page.Locator("#transfers td[data-bytes]");
            await bytes.WaitForAsync(new() { Timeout = 30_000 });
            Assert.Contains("upload", await page.Locator("#transfers tbody tr").InnerTextAsync(), StringComparison.Ordinal);
            var first = long.Parse((await bytes.GetAttributeAsync("data-bytes"))!, CultureInfo.InvariantCulture);
            var later = first;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (later <= first && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1000);
                later = long.Parse((await bytes.GetAttributeAsync("data-bytes"))!, CultureInfo.InvariantCulture);
            }

            Assert.True(later > first, $"the upload's bytes did not grow on the page: {first} then {later}");
            Assert.Equal("same document", await page.EvaluateAsync<string>("() => window.gatehouseTestMarker"));

            // Kick it from the sessions page.
            await page.GetByRole(AriaRole.Link, new() { Name = "Sessions" }).First.ClickAsync();
            var row = page.Locator("#sessions tbody tr", new() { HasText = "alice" });
            await row.GetByRole(AriaRole.Button, new() { Name = "Kick" }).ClickAsync();
            await page.GetByText("closed.").WaitForAsync();
            var (uploadCode, uploadOutput) = await upload;
            upload = null;
            Assert.True(uploadCode != 0, $"the upload should have been cut off by the kick:\n{uploadOutput}");
            Assert.True(await api.Server.WaitForLogAsync("Session ended: closed by an administrator (web:root)", TimeSpan.FromSeconds(10)), api.Server.Output);

            await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
            var audit = await page.Locator("#audit").InnerTextAsync();
            foreach (var action in new[] { "admin.totp.enrol", "admin.login", "user.add", "mount.set", "session.kick" })
            {
                Assert.Contains(action, audit, StringComparison.Ordinal);
            }

            Assert.Contains("web:root", audit, StringComparison.Ordinal);
            Assert.Empty(violations);
        }
        finally
        {
            await browser.CloseAsync();
            if (upload is not null)
            {
                // The test failed before the kick: curl gives up after its --max-time of 60 s.
                await upload;
            }

            shared.Delete(recursive: true);
        }
    }
}
