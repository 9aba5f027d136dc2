using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The REST API beyond users and sessions, against the real server: each endpoint's happy path and a refusal naming
/// the field, keys limited to some users, and the audit trail of API, CLI and FTP logins. Anonymous and wrong-scope
/// requests are checked for every route by <see cref="AdminFallbackPolicyTests"/>.
/// </summary>
public sealed class AdminApiResourceTests
{
    private static readonly HttpMethod Get = HttpMethod.Get;
    private static readonly HttpMethod Post = HttpMethod.Post;
    private static readonly HttpMethod Put = HttpMethod.Put;
    private static readonly HttpMethod Patch = HttpMethod.Patch;
    private static readonly HttpMethod Delete = HttpMethod.Delete;

    [Fact]
    public async Task Groups_folders_mounts_permissions_and_settings_are_managed_under_the_cli_rules_and_audited()
    {
        await using var api = await AdminApi.StartAsync();
        var prices = Directory.CreateDirectory(Path.Combine(api.Server.DataDirectory, "exchange", "prices")).FullName;

        await api.ExpectAsync(HttpStatusCode.Created, Post, "/api/v1/groups", """{"name":"partners","description":"outside firms","settings":{"max-sessions":"3"}}""");
        await api.ExpectAsync(HttpStatusCode.Forbidden, Post, "/api/v1/groups", """{"name":"others"}""", scope: "read");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Post, "/api/v1/groups", """{"name":"../x"}""", field: "name");
        await api.ExpectAsync(HttpStatusCode.Conflict, Post, "/api/v1/groups", """{"name":"partners"}""");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Patch, "/api/v1/groups/partners/settings", """{"max-sessions":"lots","tls":"required"}""", field: "settings.max-sessions");
        Assert.Equal("3", (await api.GetJsonAsync("/api/v1/groups/partners/settings")).GetProperty("max-sessions").GetString());
        await api.ExpectAsync(HttpStatusCode.NoContent, Patch, "/api/v1/groups/partners/settings", """{"tls":"required"}""");
        await api.ExpectAsync(HttpStatusCode.NotFound, Patch, "/api/v1/groups/nobody/settings", """{"tls":"required"}""");

        await api.ExpectAsync(HttpStatusCode.Created, Post, "/api/v1/folders", $$$"""{"name":"prices","path":{{{JsonSerializer.Serialize(prices)}}},"settings":{"retention-days":"14"}}""");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Post, "/api/v1/folders", """{"name":"everything","path":"/"}""", field: "path");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Post, "/api/v1/folders", """{"name":"relative","path":"exchange/drop"}""", field: "path");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Patch, "/api/v1/folders/prices/settings", """{"tls":"required"}""", field: "settings.tls");

        await api.ExpectAsync(HttpStatusCode.NoContent, Put, "/api/v1/groups/partners/mounts", """{"folder":"prices","at":"/shared/prices","readOnly":true}""");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Put, "/api/v1/groups/partners/mounts", """{"folder":"prices","at":"/"}""", field: "at");
        await api.ExpectAsync(HttpStatusCode.NotFound, Put, "/api/v1/groups/partners/mounts", """{"folder":"nothing","at":"/x"}""");
        await api.ExpectAsync(HttpStatusCode.NoContent, Put, "/api/v1/groups/partners/permissions", """{"path":"/","permissions":"list,download"}""");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Put, "/api/v1/groups/partners/permissions", """{"path":"/","permissions":"fly"}""", field: "permissions");
        await api.ExpectAsync(HttpStatusCode.NoContent, Put, "/api/v1/groups/partners/members/alice");
        await api.ExpectAsync(HttpStatusCode.NotFound, Put, "/api/v1/groups/partners/members/nobody");

        var group = await api.GetJsonAsync("/api/v1/groups/partners");
        Assert.Equal("alice", Assert.Single(group.GetProperty("members").EnumerateArray()).GetString());
        var folder = await api.GetJsonAsync("/api/v1/folders/prices");
        Assert.Equal("/shared/prices", Assert.Single(folder.GetProperty("mounts").EnumerateArray()).GetProperty("at").GetString());
        Assert.Equal("14", folder.GetProperty("settings").GetProperty("retention-days").GetString());
        Assert.Equal("list,download", Assert.Single((await api.GetJsonAsync("/api/v1/groups/partners/permissions")).EnumerateArray()).GetProperty("permissions").GetString());
        Assert.Equal("prices", Assert.Single((await api.GetJsonAsync("/api/v1/groups/partners/mounts")).EnumerateArray()).GetProperty("folder").GetString());

        // What alice gets now, with the source of each part: gatehouse user show --effective.
        var effective = await api.GetJsonAsync("/api/v1/users/alice/effective");
        var sessions = effective.GetProperty("settings").EnumerateArray().Single(setting => setting.GetProperty("key").GetString() == "max-sessions");
        Assert.Equal("3", sessions.GetProperty("value").GetString());
        Assert.Contains("partners", sessions.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.True(Assert.Single(effective.GetProperty("mounts").EnumerateArray()).GetProperty("readOnly").GetBoolean());
        Assert.Contains(effective.GetProperty("permissions").EnumerateArray(), row => row.GetProperty("path").GetString() == "/" && row.GetProperty("permissions").GetString() == "list,download");

        // The same change from the CLI: a user's own settings and rules.
        await api.ExpectAsync(HttpStatusCode.NoContent, Put, "/api/v1/users/alice/permissions", """{"path":"/incoming","permissions":"all"}""");
        await api.ExpectAsync(HttpStatusCode.NoContent, Patch, "/api/v1/users/alice/settings", """{"quota-bytes":"1G"}""");
        Assert.Equal("1073741824", (await api.GetJsonAsync("/api/v1/users/alice/settings")).GetProperty("quota-bytes").GetString());
        await api.ExpectAsync(HttpStatusCode.BadRequest, Put, "/api/v1/users/alice/home", """{"home":"/"}""", field: "home");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Put, "/api/v1/users/alice/home", $$"""{"home":{{JsonSerializer.Serialize(Path.GetDirectoryName(api.Server.DataDirectory))}}}""", field: "home");
        var home = Path.Combine(api.Server.DataDirectory, "homes", "alice");
        await api.ExpectAsync(HttpStatusCode.NoContent, Put, "/api/v1/users/alice/home", $$"""{"home":{{JsonSerializer.Serialize(home)}}}""");
        Assert.Equal(home, (await api.GetJsonAsync("/api/v1/users/alice")).GetProperty("home").GetString());

        await api.ExpectAsync(HttpStatusCode.NoContent, Delete, "/api/v1/users/alice/permissions?path=/incoming");
        await api.ExpectAsync(HttpStatusCode.NotFound, Delete, "/api/v1/users/alice/permissions?path=/incoming");
        await api.ExpectAsync(HttpStatusCode.NoContent, Delete, "/api/v1/groups/partners/mounts?at=/shared/prices");
        await api.ExpectAsync(HttpStatusCode.NotFound, Delete, "/api/v1/groups/partners/mounts?at=/shared/prices");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Delete, "/api/v1/groups/partners/mounts?at=shared", field: "at");
        await api.ExpectAsync(HttpStatusCode.NoContent, Delete, "/api/v1/groups/partners/members/alice");
        await api.ExpectAsync(HttpStatusCode.NoContent, Delete, "/api/v1/folders/prices");
        await api.ExpectAsync(HttpStatusCode.NotFound, Delete, "/api/v1/folders/prices");
        await api.ExpectAsync(HttpStatusCode.NoContent, Delete, "/api/v1/groups/partners");
        await api.ExpectAsync(HttpStatusCode.NotFound, Get, "/api/v1/groups/partners", scope: "read");
        Assert.True(Directory.Exists(prices), "removing a folder keeps its directory");

        var records = await AdminApi.AuditAsync(api.Server);
        var actions = records.Where(record => record.GetProperty("actor").GetString() == "apikey:write-key").Select(record => record.GetProperty("action").GetString()).ToList();
        Assert.Equal(
            ["group.add", "setting.set", "setting.set", "folder.add", "setting.set", "mount.set", "permission.set", "group.member.add", "permission.set", "setting.set", "user.home",
             "permission.remove", "mount.remove", "group.member.remove", "folder.remove", "group.remove"],
            actions);
        var tls = records.Last(record => record.GetProperty("action").GetString() == "setting.set" && record.GetProperty("target").GetString() == "group partners");
        Assert.Equal("tls=inherit", tls.GetProperty("before").GetString());
        Assert.Equal("tls=required", tls.GetProperty("after").GetString());
        var (code, verified) = await api.Server.RunCliAsync(null, "audit", "verify");
        Assert.True(code == 0, verified);
    }

    [Fact]
    public async Task Quotas_retention_transfer_history_rules_and_event_deliveries_are_served()
    {
        await using var api = await AdminApi.StartAsync();
        const int size = 200_000;
        await Clients.FtplibAsync(api.Server, "roundtrip", tls: false, extra: ["--size", size.ToString(CultureInfo.InvariantCulture)]);

        var scanned = await api.ExpectAsync(HttpStatusCode.OK, Post, "/api/v1/quotas/scan");
        Assert.Contains(scanned!.Value.EnumerateArray(), area => area.GetProperty("area").GetString() == "user:alice" && area.GetProperty("bytes").ValueKind == JsonValueKind.Number);
        Assert.Contains((await api.GetJsonAsync("/api/v1/quotas")).EnumerateArray(), area => area.GetProperty("area").GetString() == "user:alice");
        await api.ExpectAsync(HttpStatusCode.Forbidden, Post, "/api/v1/quotas/scan", scope: "read");
        Assert.Empty((await api.ExpectAsync(HttpStatusCode.OK, Post, "/api/v1/retention/run?dryRun=true"))!.Value.EnumerateArray());

        var transfers = (await api.GetJsonAsync("/api/v1/transfers?user=alice&outcome=complete")).EnumerateArray().ToList();
        Assert.Contains(transfers, transfer => transfer.GetProperty("direction").GetString() == "upload" && transfer.GetProperty("bytes").GetInt64() == size);
        Assert.Contains(transfers, transfer => transfer.GetProperty("direction").GetString() == "download");
        Assert.Empty((await api.GetJsonAsync("/api/v1/transfers?user=nobody")).EnumerateArray());
        Assert.Empty((await api.GetJsonAsync($"/api/v1/transfers?from={DateTimeOffset.UtcNow.AddHours(1):O}".Replace("+", "%2B", StringComparison.Ordinal))).EnumerateArray());
        await api.ExpectAsync(HttpStatusCode.BadRequest, Get, "/api/v1/transfers?outcome=maybe", scope: "read", field: "outcome");

        // A command action may run only what Events:Commands names, through the API as through the CLI.
        await api.ExpectAsync(HttpStatusCode.BadRequest, Post, "/api/v1/rules", """{"name":"shell","on":"upload","actions":[{"kind":"command","target":"/bin/sh","arguments":["-c","id"]}]}""", field: "actions[0]");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Post, "/api/v1/rules", """{"name":"leak","on":"upload","actions":[{"kind":"webhook","target":"https://attacker.example/"}]}""", field: "actions[0]");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Post, "/api/v1/rules", """{"name":"odd","on":"whenever","actions":[{"kind":"delete"}]}""", field: "on");
        await api.ExpectAsync(HttpStatusCode.BadRequest, Post, "/api/v1/rules", """{"name":"nightly","on":"schedule","cron":"sometimes","conditions":{"user":"alice","path":"/old/*"},"actions":[{"kind":"delete"}]}""", field: "cron");
        await api.ExpectAsync(HttpStatusCode.Created, Post, "/api/v1/rules", """{"name":"archive","on":"upload","conditions":{"path":"/in/*.xml"},"actions":[{"kind":"move-to","target":"/archive"}]}""");
        await api.ExpectAsync(HttpStatusCode.Conflict, Post, "/api/v1/rules", """{"name":"archive","on":"upload","actions":[{"kind":"delete"}]}""");
        var rule = await api.GetJsonAsync("/api/v1/rules/archive");
        Assert.Equal("/in/*.xml", rule.GetProperty("conditions").GetProperty("path").GetString());
        Assert.Equal("move-to", Assert.Single(rule.GetProperty("actions").EnumerateArray()).GetProperty("kind").GetString());
        await api.ExpectAsync(HttpStatusCode.NoContent, Put, "/api/v1/rules/archive", """{"on":"upload","enabled":false,"actions":[{"kind":"copy-to","target":"/copies"}]}""");
        Assert.False((await api.GetJsonAsync("/api/v1/rules")).EnumerateArray().Single().GetProperty("enabled").GetBoolean());
        await api.ExpectAsync(HttpStatusCode.NotFound, Put, "/api/v1/rules/nothing", """{"on":"upload","actions":[{"kind":"delete"}]}""");
        await api.ExpectAsync(HttpStatusCode.NoContent, Delete, "/api/v1/rules/archive");
        await api.ExpectAsync(HttpStatusCode.NotFound, Get, "/api/v1/rules/archive", scope: "read");

        Assert.Empty((await api.GetJsonAsync("/api/v1/events?failed=true")).EnumerateArray());
        await api.ExpectAsync(HttpStatusCode.BadRequest, Get, "/api/v1/events?limit=0", scope: "read", field: "limit");
        await api.ExpectAsync(HttpStatusCode.NotFound, Get, "/api/v1/events/999", scope: "read");
        await api.ExpectAsync(HttpStatusCode.NotFound, Post, "/api/v1/events/999/retry");

        var audited = (await AdminApi.AuditAsync(api.Server)).Select(record => record.GetProperty("action").GetString()).ToList();
        Assert.Contains("quota.scan", audited);
        Assert.Equal(["rule.add", "rule.set", "rule.remove"], audited.Where(action => action!.StartsWith("rule.", StringComparison.Ordinal)));
        Assert.DoesNotContain("retention.run", audited);
    }

    [Fact]
    public async Task A_rule_test_through_the_api_answers_each_action_s_outcome_as_the_cli_shows_it()
    {
        await using var api = await AdminApi.StartAsync(new() { ["Events__Commands__0"] = "/usr/bin/true", ["Events__Commands__1"] = "/usr/bin/false" });
        await api.ExpectAsync(HttpStatusCode.Created, Post, "/api/v1/rules", """{"name":"notify","on":"upload","actions":[{"kind":"command","target":"/usr/bin/true"},{"kind":"delete"}]}""");
        await api.ExpectAsync(HttpStatusCode.Created, Post, "/api/v1/rules", """{"name":"broken","on":"upload","actions":[{"kind":"command","target":"/usr/bin/false"},{"kind":"command","target":"/usr/bin/true"}]}""");

        var passed = (await api.ExpectAsync(HttpStatusCode.OK, Post, "/api/v1/rules/notify/test", """{"user":"alice","path":"/in/order.xml"}"""))!.Value;
        Assert.True(passed.GetProperty("succeeded").GetBoolean());
        Assert.Equal(("alice", "/in/order.xml", "upload"), (passed.GetProperty("event").GetProperty("user").GetString(), passed.GetProperty("event").GetProperty("path").GetString(), passed.GetProperty("event").GetProperty("kind").GetString()));
        Assert.Equal(["ok", "skipped"], passed.GetProperty("steps").EnumerateArray().Select(step => step.GetProperty("outcome").GetString()));

        // The first action fails: the second is not run, as in a real delivery; no body: the defaults.
        var failed = (await api.ExpectAsync(HttpStatusCode.OK, Post, "/api/v1/rules/broken/test"))!.Value;
        Assert.False(failed.GetProperty("succeeded").GetBoolean());
        Assert.Equal("/gatehouse-rule-test.txt", failed.GetProperty("event").GetProperty("path").GetString());
        var step = Assert.Single(failed.GetProperty("steps").EnumerateArray());
        Assert.Equal((1, "failed"), (step.GetProperty("step").GetInt32(), step.GetProperty("outcome").GetString()));

        await api.ExpectAsync(HttpStatusCode.NotFound, Post, "/api/v1/rules/nothing/test");
        await api.ExpectAsync(HttpStatusCode.Forbidden, Post, "/api/v1/rules/notify/test", scope: "read");
        Assert.Equal(2, (await AdminApi.AuditAsync(api.Server)).Count(record => record.GetProperty("action").GetString() == "rule.test"));

        // The CLI prints the same outcomes from the same code, and fails with the rule.
        var (code, output) = await api.Server.RunCliAsync(null, "rule", "test", "broken");
        Assert.True(code == 1 && output.Contains("1. FAILED:", StringComparison.Ordinal) && !output.Contains("2.", StringComparison.Ordinal), output);
        (code, output) = await api.Server.RunCliAsync(null, "rule", "test", "notify");
        Assert.True(code == 0 && output.Contains("1. ok:", StringComparison.Ordinal) && output.Contains("2. delete the file", StringComparison.Ordinal) && output.Contains("not run by rule test", StringComparison.Ordinal), output);
    }

    [Fact]
    public async Task A_key_limited_to_some_users_sees_and_changes_only_them()
    {
        string limited = string.Empty, carolOnly = string.Empty;
        await using var api = await AdminApi.StartAsync(prepare: async settings =>
        {
            await GatehouseServer.CliAsync(settings, "group", "add", "partners");
            await GatehouseServer.RunCliAsync(settings, GatehouseServer.Password + "\n", "user", "add", "bob", "--password-stdin", "--group", "partners");
            await GatehouseServer.RunCliAsync(settings, GatehouseServer.Password + "\n", "user", "add", "carol", "--password-stdin");
            limited = await AdminApi.AddKeyAsync(settings, "partner-portal", "--scope", "write", "--group", "partners");
            carolOnly = await AdminApi.AddKeyAsync(settings, "carol-desk", "--scope", "read", "--user", "carol");
        });

        Assert.Equal(["bob"], (await api.ExpectAsync(HttpStatusCode.OK, Get, "/api/v1/users", key: limited))!.Value.EnumerateArray().Select(user => user.GetProperty("name").GetString()));
        Assert.Equal(["carol"], (await api.ExpectAsync(HttpStatusCode.OK, Get, "/api/v1/users", key: carolOnly))!.Value.EnumerateArray().Select(user => user.GetProperty("name").GetString()));
        await api.ExpectAsync(HttpStatusCode.OK, Get, "/api/v1/users/bob/effective", key: limited);
        await api.ExpectAsync(HttpStatusCode.NotFound, Get, "/api/v1/users/carol", key: limited);
        await api.ExpectAsync(HttpStatusCode.NotFound, Get, "/api/v1/users/alice/settings", key: limited);
        await api.ExpectAsync(HttpStatusCode.NotFound, Patch, "/api/v1/users/carol/settings", """{"max-sessions":"1"}""", key: limited);
        await api.ExpectAsync(HttpStatusCode.NotFound, Post, "/api/v1/users/alice/disable", key: limited);
        await api.ExpectAsync(HttpStatusCode.NoContent, Patch, "/api/v1/users/bob/settings", """{"max-sessions":"1"}""", key: limited);
        await api.ExpectAsync(HttpStatusCode.Forbidden, Patch, "/api/v1/users/carol/settings", """{"max-sessions":"1"}""", key: carolOnly);

        // It creates users only inside its reach, and nothing outside users, sessions and transfers is open to it.
        await api.ExpectAsync(HttpStatusCode.Created, Post, "/api/v1/users", $$"""{"name":"dave","password":"{{GatehouseServer.Password}}","groups":["partners"]}""", key: limited);
        await api.ExpectAsync(HttpStatusCode.Forbidden, Post, "/api/v1/users", $$"""{"name":"erin","password":"{{GatehouseServer.Password}}"}""", key: limited);
        foreach (var path in new[] { "/api/v1/groups", "/api/v1/folders", "/api/v1/bans", "/api/v1/rules", "/api/v1/quotas", "/openapi/v1.json" })
        {
            await api.ExpectAsync(HttpStatusCode.Forbidden, Get, path, key: limited);
        }

        // Nor can it hand its users anything outside their own files: a shared folder mounted, a home put elsewhere.
        var elsewhere = JsonSerializer.Serialize(Path.Combine(api.Server.DataDirectory, "home", "alice"));
        var mount = await api.ExpectAsync(HttpStatusCode.Forbidden, Put, "/api/v1/users/bob/mounts", """{"folder":"prices","at":"/prices"}""", key: limited);
        Assert.Contains("cannot mount a shared folder", mount!.Value.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.ExpectAsync(HttpStatusCode.Forbidden, Put, "/api/v1/users/bob/home", $$"""{"home":{{elsewhere}}}""", key: limited);
        await api.ExpectAsync(HttpStatusCode.Forbidden, Post, "/api/v1/users", $$"""{"name":"frank","password":"{{GatehouseServer.Password}}","groups":["partners"],"home":{{elsewhere}}}""", key: limited);

        Assert.Empty((await api.ExpectAsync(HttpStatusCode.OK, Get, "/api/v1/transfers?user=alice", key: limited))!.Value.EnumerateArray());
        Assert.Equal(["alice", "bob", "carol", "dave"], (await api.GetJsonAsync("/api/v1/users")).EnumerateArray().Select(user => user.GetProperty("name").GetString()));

        var key = (await AdminApi.AuditAsync(api.Server)).Single(record => record.GetProperty("action").GetString() == "apikey.add" && record.GetProperty("target").GetString() == "partner-portal");
        Assert.Contains("groups=partners", key.GetProperty("after").GetString(), StringComparison.Ordinal);
        var (_, list) = await api.Server.RunCliAsync(null, "apikey", "list");
        Assert.Contains("group partners", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_changes_and_ftp_logins_are_audited_and_the_trail_verifies()
    {
        await using var api = await AdminApi.StartAsync();
        var server = api.Server;
        var drop = Path.Combine(server.DataDirectory, "exchange", "drop");
        await server.CliAsync("group", "add", "customers", "--max-sessions", "2");
        await server.CliAsync("user", "set", "alice", "--add-group", "customers", "--quota-bytes", "5G");
        await server.CliAsync("folder", "add", "drop", "--path", drop);
        await server.CliAsync("folder", "mount", "drop", "--group", "customers", "--at", "/drop");
        await server.CliAsync("perm", "set", "--group", "customers", "/drop", "list,upload");
        await server.CliAsync("rule", "add", "tidy", "--on", "upload", "--path", "/drop/*.tmp", "--delete");
        var refused = await server.RunCliAsync(null, "folder", "add", "everything", "--path", "/");
        Assert.True(refused.ExitCode == 1 && refused.Output.Contains("data directory", StringComparison.Ordinal), refused.Output);

        Assert.True(await AdminApi.CanLogInAsync(server, "alice", GatehouseServer.Password));
        Assert.False(await AdminApi.CanLogInAsync(server, "alice", "not-her-password"));
        Assert.False(await AdminApi.CanLogInAsync(server, "mallory", "guess-1234"));

        // Logins are written in the background: the login does not wait for its record.
        List<JsonElement> records = [];
        for (var attempt = 0; attempt < 50 && records.Count(record => record.GetProperty("action").GetString()!.StartsWith("ftp.login", StringComparison.Ordinal)) < 3; attempt++)
        {
            await Task.Delay(200);
            records = await AdminApi.AuditAsync(server);
        }

        var cli = "cli:" + Environment.UserName;
        Assert.Equal(
            ["group.add customers", "setting.set group customers", "setting.set user alice", "group.member.add group customers", "folder.add drop", "mount.set group customers /drop", "permission.set group customers /drop", "rule.add tidy"],
            records.Where(record => record.GetProperty("actor").GetString() == cli && record.GetProperty("action").GetString() is not ("user.add" or "apikey.add"))
                .Select(record => $"{record.GetProperty("action").GetString()} {record.GetProperty("target").GetString()}"));
        var logins = records.Where(record => record.GetProperty("action").GetString()!.StartsWith("ftp.login", StringComparison.Ordinal)).ToList();
        Assert.Contains(logins, record => record.GetProperty("action").GetString() == "ftp.login" && record.GetProperty("actor").GetString() == "ftp:alice" && record.GetProperty("origin").GetString() == "127.0.0.1");
        Assert.Contains(logins, record => record.GetProperty("action").GetString() == "ftp.login.failed" && record.GetProperty("after").GetString()!.Contains("wrong password", StringComparison.Ordinal));
        Assert.Contains(logins, record => record.GetProperty("action").GetString() == "ftp.login.failed" && record.GetProperty("actor").GetString() == "ftp:mallory");
        Assert.DoesNotContain(records, record => record.ToString().Contains("not-her-password", StringComparison.Ordinal) || record.ToString().Contains(GatehouseServer.Password, StringComparison.Ordinal));
        var (code, verified) = await server.RunCliAsync(null, "audit", "verify");
        Assert.True(code == 0, verified);
    }
}
