using System.Net;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The web admin's pages for groups, folders, permissions, API keys and transfer history, and the dashboard's figures
/// of the day, over HTTP against the real server: each change made by an administrator, audited as web:NAME, seen
/// by an operator who gets no form and 403 for a change.
/// </summary>
public sealed partial class WebAdminPagesTests
{
    [Fact(Timeout = 180_000)]
    public async Task Groups_folders_permissions_and_api_keys_are_managed_from_the_pages_and_an_operator_only_reads_them()
    {
        await using var api = await WebAdminTests.StartAsync(("root", "administrator"), ("watcher", "operator"));
        var prices = Directory.CreateDirectory(Path.Combine(api.Server.DataDirectory, "exchange", "prices")).FullName;
        using var admin = new WebAdminClient(api.Port);
        await admin.EnrolAsync("root", WebAdminTests.AdminPassword);

        await admin.GetAsync("/ui/groups");
        Assert.Contains("Group &#x27;partners&#x27; created.", (await admin.PostAsync("/ui/groups", new() { ["name"] = "partners", ["description"] = "<b>outside</b> firms" })).Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/ui/groups", new() { ["name"] = "partners" })).Status);
        await admin.GetAsync("/ui/folders");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/ui/folders", new() { ["name"] = "everything", ["path"] = "/" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/ui/folders", new() { ["name"] = "prices", ["path"] = prices })).Status);

        var group = await admin.GetAsync("/ui/groups/partners");
        Assert.Contains("&lt;b&gt;outside&lt;/b&gt; firms", group.Body, StringComparison.Ordinal);
        Assert.Contains("is now a member", (await admin.PostAsync("/ui/groups/partners/members", new() { ["user"] = "alice" })).Body, StringComparison.Ordinal);
        Assert.Contains("mounted at /shared/prices, read-only", (await admin.PostAsync("/ui/groups/partners/mounts", new() { ["folder"] = "prices", ["at"] = "/shared/prices", ["readonly"] = "on" })).Body, StringComparison.Ordinal);
        var refused = await admin.PostAsync("/ui/groups/partners/permissions", new() { ["path"] = "/outgoing", ["permissions"] = "fly" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/ui/groups/partners/permissions", new() { ["path"] = "/outgoing", ["permissions"] = "list,download" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/ui/users/alice/permissions", new() { ["path"] = "/outgoing", ["permissions"] = "list" })).Status);

        // The member's page shows what applies in the end, with where it comes from: the group's folder, the user's own rule winning.
        var alice = await admin.GetAsync("/ui/users/alice");
        Assert.Matches("<td class=\"path\">/shared/prices</td><td>prices</td>.*<td>read-only</td><td>group partners</td>", alice.Body);
        Assert.Matches("<td class=\"path\">/outgoing</td><td>list</td><td>user alice</td>", alice.Body);
        var folder = await admin.GetAsync("/ui/folders/prices");
        Assert.Contains("group partners</a></td>", folder.Body, StringComparison.Ordinal);
        await admin.GetAsync("/ui/users/alice");
        Assert.Contains("inherits again", (await admin.PostAsync("/ui/users/alice/permissions/remove", new() { ["path"] = "/outgoing" })).Body, StringComparison.Ordinal);

        // An API key limited to the group, shown once, works against the API; revoked, it is refused.
        await admin.GetAsync("/ui/apikeys");
        var created = await admin.PostAsync("/ui/apikeys", new() { ["name"] = "portal", ["scope"] = "read", ["expires"] = "2099-12-31", ["groups"] = "partners" });
        var key = KeyPattern().Match(created.Body).Groups[1].Value;
        Assert.StartsWith("ghk_", key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, (await admin.GetAsync("/ui/apikeys")).Body, StringComparison.Ordinal);
        Assert.Equal(["alice"], (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/users", key: key))!.Value.EnumerateArray().Select(user => user.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/ui/apikeys", new() { ["name"] = "old", ["scope"] = "read", ["expires"] = "2001-01-01" })).Status);
        Assert.Contains("revoked", (await admin.PostAsync("/ui/apikeys/portal/revoke", [])).Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.SendAsync(HttpMethod.Get, "/api/v1/users", key)).StatusCode);

        var audited = (await AdminApi.AuditAsync(api.Server)).Where(record => record.GetProperty("actor").GetString() == "web:root").Select(record => record.GetProperty("action").GetString()).ToList();
        foreach (var action in new[] { "group.add", "folder.add", "group.member.add", "mount.set", "permission.set", "permission.remove", "apikey.add", "apikey.remove" })
        {
            Assert.True(audited.Contains(action), $"{action} not audited as web:root: {string.Join(", ", audited)}");
        }

        // The operator sees every page, with no form that changes anything, and is refused a change.
        using var watcher = new WebAdminClient(api.Port);
        await watcher.EnrolAsync("watcher", WebAdminTests.AdminPassword);
        foreach (var page in new[] { "/ui/groups", "/ui/groups/partners", "/ui/folders", "/ui/folders/prices", "/ui/apikeys", "/ui/transfers", "/ui/users/alice" })
        {
            var shown = await watcher.GetAsync(page);
            Assert.True(shown.Status == HttpStatusCode.OK, $"{page}: {(int)shown.Status}");
            Assert.Single(FormPattern().Matches(shown.Body)); // the logout button's
            Assert.DoesNotContain("<script>", shown.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(" style=", shown.Body, StringComparison.Ordinal);
            Assert.NotNull(shown.Response.Headers.GetValues("Content-Security-Policy").SingleOrDefault());
        }

        foreach (var (path, fields) in new (string, Dictionary<string, string>)[]
        {
            ("/ui/groups", new() { ["name"] = "others" }),
            ("/ui/groups/partners/members/remove", new() { ["user"] = "alice" }),
            ("/ui/groups/partners/permissions", new() { ["path"] = "/", ["permissions"] = "all" }),
            ("/ui/folders", new() { ["name"] = "x", ["path"] = prices }),
            ("/ui/apikeys", new() { ["name"] = "mine", ["scope"] = "write" }),
            ("/ui/groups/partners/delete", []),
            ("/ui/folders/prices/delete", []),
        })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await watcher.PostAsync(path, fields)).Status);
        }

        // Deleted by the administrator: the folder with its mount, then the group; the directory stays.
        await admin.GetAsync("/ui/folders/prices");
        Assert.Contains("deleted with its mounts", (await admin.PostAsync("/ui/folders/prices/delete", [])).Body, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"own-mounts\"", (await admin.GetAsync("/ui/groups/partners")).Body, StringComparison.Ordinal);
        Assert.Contains("Group &#x27;partners&#x27; deleted.", (await admin.PostAsync("/ui/groups/partners/delete", [])).Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/ui/groups/partners")).Status);
        Assert.True(Directory.Exists(prices));
    }

    [Fact(Timeout = 180_000)]
    public async Task The_dashboard_counts_today_s_volume_and_failed_ftp_logins_and_the_history_is_searched()
    {
        await using var api = await WebAdminTests.StartAsync(("root", "administrator"));
        var server = api.Server;
        var upload = Clients.RandomFile(server.DataDirectory, "order.bin", 3 * 1024 * 1024);
        await Clients.CurlAsync(server, "-T", upload, $"ftp://127.0.0.1:{server.ExplicitPort}/order.bin");
        await Clients.CurlAsync(server, "-o", "/dev/null", $"ftp://127.0.0.1:{server.ExplicitPort}/order.bin");
        Assert.False(await AdminApi.CanLogInAsync(server, "alice", "not-the-password"));
        Assert.False(await AdminApi.CanLogInAsync(server, "nobody", "not-the-password"));

        using var admin = new WebAdminClient(api.Port);
        await admin.EnrolAsync("root", WebAdminTests.AdminPassword);
        string today = string.Empty;
        for (var attempt = 0; attempt < 50 && !today.Contains("<dt>Failed FTP logins</dt><dd><a href=\"/ui/audit\">2</a>", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(100);
            today = TodayPattern().Match((await admin.GetAsync("/ui/")).Body).Value;
        }

        Assert.Contains("<dt>Uploaded</dt><dd><a href=\"/ui/transfers?from=", today, StringComparison.Ordinal);
        Assert.Contains("\">3.0 MiB</a></dd>", today, StringComparison.Ordinal);
        Assert.Matches("<dt>Downloaded</dt><dd><a [^>]+>3.0 MiB</a>", today);
        Assert.Contains("<dt>Failed FTP logins</dt><dd><a href=\"/ui/audit\">2</a>", today, StringComparison.Ordinal);

        var found = await admin.GetAsync("/ui/transfers?user=alice&path=order&outcome=complete&from=" + DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.OK, found.Status);
        Assert.Equal(2, RowPattern().Matches(found.Body).Count);
        Assert.Empty(RowPattern().Matches((await admin.GetAsync("/ui/transfers?outcome=incomplete")).Body));
        Assert.Empty(RowPattern().Matches((await admin.GetAsync("/ui/transfers?to=2001-01-01T00:00")).Body));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/ui/transfers?from=yesterday")).Status);
    }

    [GeneratedRegex("<code id=\"new-key\">(ghk_[A-Za-z0-9_-]+)</code>")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("<form method=\"post\"")]
    private static partial Regex FormPattern();

    [GeneratedRegex("<dl class=\"counters\" id=\"today\">.*?</dl>", RegexOptions.Singleline)]
    private static partial Regex TodayPattern();

    [GeneratedRegex("<tr><td>[^<]+UTC</td><td>alice</td>")]
    private static partial Regex RowPattern();
}
