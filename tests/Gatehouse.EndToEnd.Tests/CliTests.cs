using System.Globalization;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>The gatehouse command line: --help everywhere, config check, account management and the first run.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("gatehouse-cli-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string> { ["DataDirectory"] = _data };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("serve --help")]
    [InlineData("user --help")]
    [InlineData("user add --help")]
    [InlineData("user list --help")]
    [InlineData("user remove --help")]
    [InlineData("user passwd --help")]
    [InlineData("user disable --help")]
    [InlineData("user enable --help")]
    [InlineData("config --help")]
    [InlineData("config check --help")]
    public async Task Every_command_has_help(string command)
    {
        var (code, output) = await GatehouseServer.RunCliAsync(Settings(), null, command.Split(' '));
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_lists_every_problem_with_its_key()
    {
        var file = Path.Combine(_data, "bad.json");
        await File.WriteAllTextAsync(file, """
            { "Ftp": { "PasivePorts": "50000-50099", "PassivePorts": "60000-50000", "ExplicitPort": "twenty-one" },
              "Tls": { "Policy": "Sometimes" }, "Limits": { "MaxSessions": 0 } }
            """);
        var (code, output) = await GatehouseServer.RunCliAsync(Settings(("Ftp__ControlKeepAliveSeconds", "-1")), null, "config", "check", "--config", file);
        Assert.NotEqual(0, code);
        foreach (var expected in new[]
        {
            "Ftp:PasivePorts: unknown setting (did you mean Ftp:PassivePorts?)",
            "Ftp:PassivePorts: '60000-50000' starts after it ends",
            "Ftp:ExplicitPort: 'twenty-one' is not a whole number",
            "Tls:Policy: 'Sometimes' is not a TLS policy; use Required, Optional or Disabled",
            "Limits:MaxSessions: 0 must be at least 1",
            "Ftp:ControlKeepAliveSeconds: -1 is negative",
        })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Config_check_warns_about_settings_that_break_in_real_networks_and_fails_on_them_only_when_strict()
    {
        var file = Path.Combine(_data, "risky.json");
        await File.WriteAllTextAsync(file, """
            { "Ftp": { "ListenAddresses": [ "203.0.113.5" ], "PassiveAddress": "10.0.0.5", "ControlKeepAliveSeconds": 0 },
              "Tls": { "Policy": "Disabled" } }
            """);
        var (code, output) = await GatehouseServer.RunCliAsync(Settings(), null, "config", "check", "--config", file);
        Assert.True(code == 0, output);
        Assert.Contains("Configuration is valid", output, StringComparison.Ordinal);
        Assert.Contains("warning(s) for this machine's network:", output, StringComparison.Ordinal);
        Assert.Contains("Ftp:PassiveAddress: 10.0.0.5 is a private address, but the server listens on the public address 203.0.113.5", output, StringComparison.Ordinal);
        Assert.Contains("Ftp:ControlKeepAliveSeconds: is off", output, StringComparison.Ordinal);
        Assert.Contains("Tls:Policy: is Disabled while the server listens on the public address 203.0.113.5", output, StringComparison.Ordinal);

        var (strictCode, _) = await GatehouseServer.RunCliAsync(Settings(), null, "config", "check", "--strict", "--config", file);
        Assert.Equal(1, strictCode);
    }

    [Fact]
    public async Task Config_check_accepts_a_good_file_and_serve_refuses_a_bad_one()
    {
        var file = Path.Combine(_data, "good.json");
        await File.WriteAllTextAsync(file, """{ "Ftp": { "ExplicitPort": 2121, "PassiveAddress": "ftp.example.com" }, "Limits": { "IdleTimeoutSeconds": 300 } }""");
        var (code, output) = await GatehouseServer.RunCliAsync(Settings(), null, "config", "check", "--config", file);
        Assert.True(code == 0, output);
        Assert.Contains("Configuration is valid", output, StringComparison.Ordinal);

        var (serveCode, serveOutput) = await GatehouseServer.RunCliAsync(Settings(("Ftp__PassivePorts", "abc")), null, "serve");
        Assert.Equal(2, serveCode);
        Assert.Contains("Ftp:PassivePorts: 'abc' is not a port range", serveOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_commands_manage_the_account_store()
    {
        var settings = Settings();
        Assert.Equal(0, (await GatehouseServer.RunCliAsync(settings, "first-password-123\n", "user", "add", "bob", "--password-stdin")).ExitCode);
        var duplicate = await GatehouseServer.RunCliAsync(settings, "x\n", "user", "add", "bob", "--password-stdin");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Output, StringComparison.Ordinal);
        var invalid = await GatehouseServer.RunCliAsync(settings, "x\n", "user", "add", "../evil", "--password-stdin");
        Assert.Equal(1, invalid.ExitCode);

        var custom = Path.Combine(_data, "partners", "carol");
        var weak = await GatehouseServer.RunCliAsync(settings, "carol-password-123\n", "user", "add", "carol", "--password-stdin");
        Assert.Equal(1, weak.ExitCode);
        Assert.Contains("must not contain the user name", weak.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await GatehouseServer.RunCliAsync(settings, "river-stone-lamp-42\n", "user", "add", "carol", "--password-stdin", "--home", custom)).ExitCode);
        Assert.True(Directory.Exists(custom));
        Assert.True(Directory.Exists(Path.Combine(_data, "home", "bob")));

        Assert.Equal(0, (await GatehouseServer.RunCliAsync(settings, null, "user", "disable", "bob")).ExitCode);
        var list = await GatehouseServer.RunCliAsync(settings, null, "user", "list");
        Assert.Matches(@"bob\s+disabled", list.Output);
        Assert.Matches(@"carol\s+enabled .* " + System.Text.RegularExpressions.Regex.Escape(custom), list.Output);
        Assert.Equal(0, (await GatehouseServer.RunCliAsync(settings, null, "user", "enable", "bob")).ExitCode);
        Assert.Equal(0, (await GatehouseServer.RunCliAsync(settings, "second-password-123\n", "user", "passwd", "bob", "--password-stdin")).ExitCode);
        Assert.Equal(0, (await GatehouseServer.RunCliAsync(settings, null, "user", "remove", "carol")).ExitCode);
        Assert.DoesNotContain("carol", (await GatehouseServer.RunCliAsync(settings, null, "user", "list")).Output, StringComparison.Ordinal);
        Assert.Equal(1, (await GatehouseServer.RunCliAsync(settings, null, "user", "remove", "carol")).ExitCode);
        var noTerminal = await GatehouseServer.RunCliAsync(settings, null, "user", "passwd", "bob");
        Assert.Equal(1, noTerminal.ExitCode);
        Assert.Contains("--password-stdin", noTerminal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_change_and_disable_take_effect_on_a_running_server()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" });
        await Clients.FtplibAsync(server, "roundtrip", tls: false, extra: ["--size", "100"]);
        Assert.Equal(0, (await server.RunCliAsync(null, "user", "disable", "alice")).ExitCode);
        var (code, output) = await Clients.RunAsync(Clients.Python, [Clients.Script, "roundtrip", "--port", server.ExplicitPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--password", GatehouseServer.Password]);
        Assert.NotEqual(0, code);
        Assert.Contains("530", output, StringComparison.Ordinal);
        Assert.True(await server.WaitForLogAsync("Login failed for user 'alice': account disabled", TimeSpan.FromSeconds(5)));
        Assert.Equal(0, (await server.RunCliAsync(null, "user", "enable", "alice")).ExitCode);
        await Clients.FtplibAsync(server, "roundtrip", tls: false, extra: ["--size", "100"]);
    }

    [Fact]
    public async Task A_second_server_on_a_running_server_s_data_directory_is_refused_and_the_first_keeps_its_pid_file()
    {
        await using var server = await GatehouseServer.StartAsync();
        var pidFile = Path.Combine(server.DataDirectory, "gatehouse.pid");
        var pid = await File.ReadAllTextAsync(pidFile);

        // Ports of its own, so that only the data directory is shared.
        var second = new Dictionary<string, string>(server.Settings) { ["Ftp__ExplicitPort"] = GatehouseServer.FreePort().ToString(CultureInfo.InvariantCulture) };
        var (code, output) = await GatehouseServer.RunCliAsync(second, null, "serve");

        Assert.Equal(1, code);
        Assert.Contains("Gatehouse could not start: the event journal", output, StringComparison.Ordinal);
        Assert.Contains("if another Gatehouse server runs on this DataDirectory, stop it", output, StringComparison.Ordinal);
        Assert.Equal(pid, await File.ReadAllTextAsync(pidFile));
        await Clients.FtplibAsync(server, "roundtrip", extra: ["--size", "100"]);
    }

    [Fact]
    public async Task First_run_creates_demo_user_and_self_signed_certificate()
    {
        await using var server = await GatehouseServer.StartAsync(users: []);
        var match = System.Text.RegularExpressions.Regex.Match(server.Output, @"password: (\S+)");
        Assert.True(match.Success, server.Output);
        Assert.Contains("user:     demo", server.Output, StringComparison.Ordinal);
        Assert.Contains("curl --ssl-reqd", server.Output, StringComparison.Ordinal);
        Assert.Contains("Using a self-signed TLS certificate", server.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(server.CaFile));
        var (code, output) = await Clients.RunAsync(Clients.Python,
            [Clients.Script, "roundtrip", "--port", server.ExplicitPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", "demo", "--password", match.Groups[1].Value, "--tls", "--cafile", server.CaFile, "--size", "1000"]);
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "accounts.db")));
    }

    [Fact]
    public async Task First_run_creates_no_demo_user_when_Accounts_CreateDemoUser_is_false()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Accounts__CreateDemoUser"] = "false" }, users: []);
        Assert.DoesNotContain("password:", server.Output, StringComparison.Ordinal);
        var (code, output) = await server.RunCliAsync(null, "user", "list");
        Assert.True(code == 0, output);
        Assert.DoesNotContain("demo", output, StringComparison.Ordinal);
    }
}
