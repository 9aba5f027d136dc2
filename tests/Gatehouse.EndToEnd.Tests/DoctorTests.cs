using System.Globalization;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>`gatehouse doctor` against the real server on loopback: what it finds about TLS, login and ports.</summary>
public sealed class DoctorTests
{
    [Fact]
    public async Task A_sound_server_passes_every_step_and_the_doctor_leaves_no_file_behind()
    {
        await using var server = await GatehouseServer.StartAsync();
        var (code, output) = await DoctorRun.RunAsync(Url(server), null, "--ca-file", server.CaFile, "--active");

        Assert.True(code == 0, output);
        Assert.Contains("All is well: every step worked.", output, StringComparison.Ordinal);
        foreach (var step in new[] { "ok    tls", "ok    login", "ok    protect data", "ok    EPSV", "ok    PASV", "ok    upload and download", "ok    active" })
        {
            Assert.Contains(step, output, StringComparison.Ordinal);
        }

        Assert.Contains("65536 bytes each way, byte-exact", output, StringComparison.Ordinal);
        Assert.Matches(@"ok    EPSV .*; data TLS resumed the control session", output);
        Assert.Empty(Directory.GetFiles(server.Home("alice"), ".gatehouse-doctor-*"));
    }

    [Fact]
    public async Task Under_required_data_tls_resumption_every_step_passes_and_every_data_connection_resumed()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__DataConnectionResumption"] = "Required" });
        var (code, output) = await DoctorRun.RunAsync(Url(server), null, "--ca-file", server.CaFile, "--active");

        Assert.True(code == 0, output);
        Assert.Contains("All is well: every step worked.", output, StringComparison.Ordinal);
        foreach (var step in new[] { "EPSV", "PASV", "active" })
        {
            Assert.Matches($@"ok    {step} .*; data TLS resumed the control session", output);
        }
    }

    [Fact]
    public async Task Under_required_data_tls_resumption_a_data_connection_without_the_session_is_one_finding()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__DataConnectionResumption"] = "Required" });
        var (code, output) = await DoctorRun.RunAsync(Url(server), null, "--ca-file", server.CaFile, "--new-data-tls-sessions");

        Assert.True(code == 1, output);
        Assert.Contains("1 finding(s):", output, StringComparison.Ordinal);
        Assert.Contains("The server refused the data connection (\"425 The data connection's TLS did not resume", output, StringComparison.Ordinal);
        Assert.Contains("which the doctor did not offer", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_certificate_is_found_and_the_password_is_not_sent()
    {
        await using var server = await GatehouseServer.StartAsync();
        var (code, output) = await DoctorRun.RunAsync(Url(server), null);

        Assert.Equal(1, code);
        Assert.Contains("is not trusted: self-signed certificate", output, StringComparison.Ordinal);
        Assert.Contains("to test a private CA, pass it with --ca-file", output, StringComparison.Ordinal);
        Assert.Contains("skip  login", output, StringComparison.Ordinal);
        AssertNoLogin(server);

        // --insecure goes on, and still reports the certificate.
        (code, output) = await DoctorRun.RunAsync(Url(server), null, "--insecure");
        Assert.Equal(1, code);
        Assert.Contains("ok    upload and download", output, StringComparison.Ordinal);
        Assert.Contains("1 finding(s)", output, StringComparison.Ordinal);
        Assert.True(await server.WaitForLogAsync("Login succeeded", TimeSpan.FromSeconds(10)), "the server log names logins, so its silence above means something");
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_found()
    {
        await using var server = await GatehouseServer.StartAsync(listen: ["127.0.0.1", "127.0.0.2"]);
        var (code, output) = await DoctorRun.RunAsync(Url(server, "127.0.0.2"), null, "--ca-file", server.CaFile);

        Assert.Equal(1, code);
        Assert.Contains(", not 127.0.0.2: clients that check names refuse it.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("is not trusted", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_found_with_the_servers_reply()
    {
        await using var server = await GatehouseServer.StartAsync(users: ["bob"]);
        var (code, output) = await DoctorRun.RunAsync(Url(server), null, "--ca-file", server.CaFile);

        Assert.Equal(1, code);
        Assert.Contains("The login was refused: \"530", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_tls_is_found_before_the_password_is_sent()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Disabled" });
        var (code, output) = await DoctorRun.RunAsync(Url(server), null);

        Assert.Equal(1, code);
        Assert.Contains("The server does not offer TLS (AUTH TLS was answered", output, StringComparison.Ordinal);
        Assert.Contains("the doctor did not send the password", output, StringComparison.Ordinal);
        AssertNoLogin(server);

        // ftp:// is the caller's choice of plain FTP, and then all is well.
        (code, output) = await DoctorRun.RunAsync(Url(server).Replace("ftps://", "ftp://", StringComparison.Ordinal), null);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Plain_ftp_to_a_server_that_requires_tls_is_told_to_use_ftps()
    {
        await using var server = await GatehouseServer.StartAsync();
        var (code, output) = await DoctorRun.RunAsync(Url(server).Replace("ftps://", "ftp://", StringComparison.Ordinal), null);

        Assert.Equal(1, code);
        Assert.Contains("The server requires TLS before login", output, StringComparison.Ordinal);
        Assert.Contains("Use an ftps:// URL", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explicit_and_implicit_ports_mistaken_for_each_other_are_named()
    {
        await using var server = await GatehouseServer.StartAsync(implicitTls: true);
        var (code, output) = await DoctorRun.RunAsync(Url(server), null, "--implicit", "--ca-file", server.CaFile);
        Assert.Equal(1, code);
        Assert.Contains("this port greets in plain text: it speaks explicit FTPS, not implicit", output, StringComparison.Ordinal);

        var implicitUrl = $"ftps://alice@127.0.0.1:{server.ImplicitPort.ToString(CultureInfo.InvariantCulture)}";
        (code, output) = await DoctorRun.RunAsync(implicitUrl, null, "--timeout", "2", "--ca-file", server.CaFile);
        Assert.Equal(1, code);
        Assert.Contains("answered a TLS handshake: this port speaks implicit TLS", output, StringComparison.Ordinal);

        (code, output) = await DoctorRun.RunAsync(implicitUrl, null, "--implicit", "--ca-file", server.CaFile);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task A_closed_port_and_bad_arguments_get_clear_answers()
    {
        var (code, output) = await DoctorRun.RunAsync($"ftps://alice@127.0.0.1:{GatehouseServer.FreePort().ToString(CultureInfo.InvariantCulture)}", null);
        Assert.Equal(1, code);
        Assert.Contains("(connection refused)", output, StringComparison.Ordinal);
        Assert.Contains("Fix: Check the port", output, StringComparison.Ordinal);

        (code, output) = await DoctorRun.RunAsync("ftps://alice:secret@127.0.0.1", null);
        Assert.Equal(2, code);
        Assert.Contains("Do not put the password in the URL", output, StringComparison.Ordinal);
    }

    /// <summary>The server saw no password: neither a login nor a failed one.</summary>
    private static void AssertNoLogin(GatehouseServer server)
    {
        Assert.DoesNotContain("Login succeeded", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Login failed", server.Output, StringComparison.Ordinal);
    }

    private static string Url(GatehouseServer server, string host = "127.0.0.1") =>
        $"ftps://alice@{host}:{server.ExplicitPort.ToString(CultureInfo.InvariantCulture)}";
}
