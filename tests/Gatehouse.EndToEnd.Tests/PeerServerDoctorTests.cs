using Gatehouse.EndToEnd.Tests.Lab;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// `gatehouse doctor` against vsftpd 3.0.3 and ProFTPD on loopback, which require data connections to resume the
/// control connection's TLS session: the doctor resumes it (TLS 1.2 and 1.3) and says so; when it does not offer the
/// session, or the server issued none, one finding; and vsftpd's plain-text fatal error at login is shown at the login step.
/// </summary>
public sealed class PeerServerDoctorTests
{
    [Theory]
    [InlineData("vsftpd", "1.3")]
    [InlineData("vsftpd", "1.2")]
    [InlineData("proftpd", "1.3")]
    [InlineData("proftpd", "1.2")]
    public async Task A_server_that_requires_session_reuse_passes_every_step_and_the_data_connections_resume(string peer, string tls)
    {
        using var certificate = new LabCertificate(rsa: true, "127.0.0.1");
        await using var server = await StartAsync(peer, certificate, tls);
        var (code, output) = await DoctorRun.RunWithPasswordAsync(server.Url, null, LoopbackPeerServer.Account.Password, "--ca-file", certificate.CertificateFile);

        Assert.True(code == 0, output + server.Log);
        Assert.Contains("All is well: every step worked.", output, StringComparison.Ordinal);
        Assert.Matches($@"ok    tls +TLS {tls.Replace(".", @"\.", StringComparison.Ordinal)}, ", output);
        Assert.Matches(@"ok    EPSV .*: LIST \d+ bytes; data TLS resumed the control session", output);
        Assert.Matches(@"ok    PASV .*: LIST \d+ bytes; data TLS resumed the control session", output);
        Assert.Contains("65536 bytes each way, byte-exact", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vsftpd", "522 SSL connection failed: session reuse required")]
    [InlineData("proftpd", "425 Unable to build data connection")]
    public async Task Data_connections_that_do_not_offer_the_session_give_one_finding(string peer, string refusal)
    {
        using var certificate = new LabCertificate(rsa: true, "127.0.0.1");
        await using var server = await StartAsync(peer, certificate, "1.3");
        var (code, output) = await DoctorRun.RunWithPasswordAsync(server.Url, null, LoopbackPeerServer.Account.Password, "--ca-file", certificate.CertificateFile, "--new-data-tls-sessions");

        Assert.True(code == 1, output);
        Assert.Contains("1 finding(s):", output, StringComparison.Ordinal);
        Assert.Contains($"The server refused the data connection (\"{refusal}", output, StringComparison.Ordinal);
        Assert.Contains("which the doctor did not offer (offering it was turned off for this run)", output, StringComparison.Ordinal);
        Assert.Contains("; data TLS: new session", output, StringComparison.Ordinal);
        if (peer == "vsftpd")
        {
            // vsftpd also ends the control connection, which the one finding explains.
            Assert.Contains("FAIL  control connection", output, StringComparison.Ordinal);
            Assert.Contains("follows from the refused data connection above", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_server_that_requires_reuse_but_issues_no_tls_13_ticket_gives_one_finding_that_says_so()
    {
        using var certificate = new LabCertificate(rsa: true, "127.0.0.1");
        await using var server = await LoopbackPeerServer.StartVsftpdAsync(certificate, ["NumTickets = 0"]);
        var (code, output) = await DoctorRun.RunWithPasswordAsync(server.Url, null, LoopbackPeerServer.Account.Password, "--ca-file", certificate.CertificateFile);

        Assert.True(code == 1, output);
        Assert.Contains("1 finding(s):", output, StringComparison.Ordinal);
        Assert.Contains("the server gave the control connection no session that can be resumed (under TLS 1.3: no session ticket)", output, StringComparison.Ordinal);
        Assert.Contains("have the server issue TLS 1.3 session tickets", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vsftpd_folder_that_cannot_be_entered_is_shown_at_the_login_step_in_the_servers_words()
    {
        using var certificate = new LabCertificate(rsa: true, "127.0.0.1");
        var missing = Path.Combine(Path.GetTempPath(), "gatehouse-no-such-folder-" + Guid.NewGuid().ToString("N"));
        await using var server = await LoopbackPeerServer.StartVsftpdAsync(certificate, localRoot: missing);
        var (code, output) = await DoctorRun.RunWithPasswordAsync(server.Url, null, LoopbackPeerServer.Account.Password, "--ca-file", certificate.CertificateFile);

        Assert.True(code == 1, output);
        Assert.Contains($"FAIL  login                the server answered PASS in plain text inside TLS: 500 OOPS: cannot change directory:{missing}", output, StringComparison.Ordinal);
        Assert.Contains("1 finding(s):", output, StringComparison.Ordinal);
        Assert.Contains($"At the step \"login\" the server answered PASS by writing plain text into the TLS connection, then closed it: \"500 OOPS: cannot change directory:{missing}", output, StringComparison.Ordinal);
        Assert.Contains("the user's home (or chroot) directory is missing or cannot be entered", output, StringComparison.Ordinal);
        Assert.DoesNotContain("inner exception", output, StringComparison.Ordinal);
    }

    private static Task<LoopbackPeerServer> StartAsync(string peer, LabCertificate certificate, string tls) => peer == "vsftpd"
        ? LoopbackPeerServer.StartVsftpdAsync(certificate, tls == "1.2" ? ["MaxProtocol = TLSv1.2"] : null)
        : LoopbackPeerServer.StartProftpdAsync(certificate, tls == "1.2" ? "TLSv1.2" : "TLSv1.2 TLSv1.3");
}
