namespace Gatehouse.EndToEnd.Tests;

/// <summary>Python ftplib (FTP_TLS, certificate verified against the server's self-signed certificate) on the default secure server.</summary>
public sealed class TlsRequiredFtplibTests(TlsRequiredServerFixture fixture) : IClassFixture<TlsRequiredServerFixture>
{
    private readonly GatehouseServer _server = fixture.Server;

    [Theory]
    [InlineData("pasv")]
    [InlineData("epsv")]
    [InlineData("port")]
    [InlineData("eprt")]
    public async Task Random_file_round_trips_byte_for_byte(string mode)
    {
        var output = await Clients.FtplibAsync(_server, "roundtrip", extra: ["--mode", mode, "--size", "3000001", "--seed", mode.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Contains($"OK roundtrip {mode} 3000001 bytes", output, StringComparison.Ordinal);
        Assert.Equal(3000001, new FileInfo(Path.Combine(_server.Home("alice"), $"roundtrip-{mode}.bin")).Length);
        var xferlog = await File.ReadAllTextAsync(Path.Combine(_server.DataDirectory, "xferlog"));
        Assert.Contains($" 3000001 /roundtrip-{mode}.bin b _ i r alice ftp 0 * c", xferlog, StringComparison.Ordinal);
        Assert.Contains($" 3000001 /roundtrip-{mode}.bin b _ o r alice ftp 0 * c", xferlog, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pasv")]
    [InlineData("port")]
    public async Task Round_trip_over_ipv6_loopback_uses_epsv_and_eprt(string mode)
    {
        var output = await Clients.FtplibAsync(_server, "roundtrip", host: "::1", extra: ["--mode", mode, "--name", $"v6-{mode}.bin"]);
        Assert.Contains("OK roundtrip", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_server.Home("alice"), $"v6-{mode}.bin")));
    }

    [Fact]
    public async Task Pasv_on_ipv6_is_refused_with_a_pointer_to_epsv() =>
        await Clients.FtplibAsync(_server, "pasv-ipv6", host: "::1");

    [Fact]
    public async Task Tls_13_is_negotiated_by_default_and_tls_12_is_accepted()
    {
        Assert.Contains("TLS TLSv1.3", await Clients.FtplibAsync(_server, "roundtrip", extra: ["--size", "1000", "--name", "tls13.bin"]), StringComparison.Ordinal);
        Assert.Contains("TLS TLSv1.2", await Clients.FtplibAsync(_server, "roundtrip", extra: ["--size", "1000", "--name", "tls12.bin", "--tls-max", "1.2"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rest_resumes_uploads_and_downloads() => await Clients.FtplibAsync(_server, "resume");

    [Fact]
    public async Task Mlsd_and_mlst_report_rfc3659_facts() => await Clients.FtplibAsync(_server, "mlsd");

    [Fact]
    public async Task Listings_larger_than_one_send_block_arrive_whole()
    {
        var many = Path.Combine(_server.Home("alice"), "many");
        Directory.CreateDirectory(many);
        for (var i = 0; i < 3000; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(many, $"entry-{i:D4}-{new string('x', 60)}"), []);
        }

        Assert.Contains("OK big-listing", await Clients.FtplibAsync(_server, "big-listing"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Directories_past_the_sort_limit_stream_every_entry_once()
    {
        var huge = Path.Combine(_server.Home("alice"), "huge");
        Directory.CreateDirectory(huge);
        var count = Gatehouse.Protocol.Listing.ListingOrder.SortLimit + 500;
        for (var i = 0; i < count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(huge, $"e{i:D6}"), []);
        }

        var output = await Clients.FtplibAsync(_server, "huge-listing", extra: ["--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Contains("OK huge-listing", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Utf8_names_work_end_to_end()
    {
        await Clients.FtplibAsync(_server, "utf8");
        Assert.True(File.Exists(Path.Combine(_server.Home("alice"), "dossier-é", "ñame.txt")));
    }

    [Fact]
    public async Task Informational_and_file_commands_answer_per_rfc() => await Clients.FtplibAsync(_server, "commands");

    [Fact]
    public async Task Stou_rename_and_delete() => await Clients.FtplibAsync(_server, "stou-rename-delete");

    [Fact]
    public async Task Host_is_accepted_before_login_only() => await Clients.FtplibAsync(_server, "host");

    [Fact]
    public async Task Ascii_mode_converts_line_endings_both_ways()
    {
        await Clients.FtplibAsync(_server, "ascii");
        Assert.Equal("one\ntwo\nthree\n", await File.ReadAllTextAsync(Path.Combine(_server.Home("alice"), "lines.txt")));
    }

    [Fact]
    public async Task Rein_logs_out_and_allows_a_new_login() => await Clients.FtplibAsync(_server, "rein");

    [Fact]
    public async Task Paths_cannot_escape_the_home_even_through_symbolic_links()
    {
        var link = Path.Combine(_server.Home("alice"), "link-to-etc");
        if (!Path.Exists(link))
        {
            File.CreateSymbolicLink(link, "/etc");
        }

        await Clients.FtplibAsync(_server, "escape");
    }

    [Fact]
    public async Task Tls_policy_refuses_user_before_auth_and_clear_data()
    {
        await Clients.FtplibAsync(_server, "policy-required");
        Assert.True(await _server.WaitForLogAsync("Refused USER before TLS", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Plain_text_pipelined_after_auth_tls_closes_the_connection()
    {
        await Clients.FtplibAsync(_server, "pipelined-auth", tls: false);
        Assert.True(await _server.WaitForLogAsync("possible command injection", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Bounce_attempts_are_refused_and_logged()
    {
        await Clients.FtplibAsync(_server, "bounce");
        Assert.True(await _server.WaitForLogAsync("Active mode refused: Active mode may only connect back to your own address (127.0.0.1), not 127.0.0.2", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Data_connection_from_another_address_is_refused_and_logged()
    {
        await Clients.FtplibAsync(_server, "theft");
        Assert.True(await _server.WaitForLogAsync("Data connection from 127.0.0.2 to passive port", TimeSpan.FromSeconds(5)));
        Assert.Contains("refused: no session from that address is waiting on it (possible data theft", _server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hundred_kilobyte_command_line_is_refused_and_others_are_still_served() =>
        await Clients.FtplibAsync(_server, "long-line", tls: false);

    [Fact]
    public async Task Random_bytes_on_the_control_connection_do_not_hurt_the_server()
    {
        for (var seed = 1; seed <= 3; seed++)
        {
            await Clients.FtplibAsync(_server, "garbage", tls: false, extra: ["--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    [Fact]
    public async Task Abor_during_a_tls_download_replies_426_then_226()
    {
        TestFiles.CreateBig(_server);
        await Clients.FtplibAsync(_server, "abort-download");
    }

    [Fact]
    public async Task Reset_upload_leaves_no_file_under_the_final_name_and_no_temporary_file_but_its_hidden_partial()
    {
        await Clients.FtplibAsync(_server, "abort-upload", extra: ["--name", "reset.bin", "--how", "reset"]);
        Assert.False(File.Exists(Path.Combine(_server.Home("alice"), "reset.bin")));
        var hidden = Directory.GetFiles(_server.Home("alice")).Select(Path.GetFileName).Where(name => name!.StartsWith(".gatehouse-upload-", StringComparison.Ordinal));

        // Kept for resuming (setting resume-uploads, on by default: ResumeTests), never a running upload's file.
        Assert.All(hidden, name => Assert.True(Gatehouse.Storage.Local.PartialUploads.IsPartialName(name!), name));
    }

    [Fact]
    public async Task Aborted_upload_over_an_existing_file_keeps_the_previous_version()
    {
        var path = Path.Combine(_server.Home("alice"), "keep.txt");
        await File.WriteAllTextAsync(path, "previous version");
        await Clients.FtplibAsync(_server, "abort-upload", extra: ["--name", "keep.txt", "--how", "abor"]);
        Assert.Equal("previous version", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Three_failed_logins_close_the_connection_and_are_logged()
    {
        await Clients.FtplibAsync(_server, "login-failures");
        Assert.True(await _server.WaitForLogAsync("Login failed for user 'alice': wrong password", TimeSpan.FromSeconds(5)));
        Assert.DoesNotContain("wrong-password", _server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_log_line_of_a_session_names_session_client_and_user()
    {
        await Clients.FtplibAsync(_server, "roundtrip", extra: ["--size", "10", "--name", "scoped.bin"]);
        Assert.True(await _server.WaitForLogAsync("Upload /scoped.bin", TimeSpan.FromSeconds(5)));
        var line = _server.Output.Split('\n').First(l => l.Contains("Upload /scoped.bin", StringComparison.Ordinal));
        Assert.Matches(@"session=[0-9a-f]{8} client=127\.0\.0\.1:\d+ user=alice", line);
    }
}
