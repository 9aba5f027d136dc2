namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>Login verbs, the command states and the information verbs, through a real session.</summary>
public sealed class LoginAndStateTests
{
    [Fact]
    public async Task User_and_pass_log_in_and_a_wrong_password_is_refused_without_saying_why()
    {
        await using var session = await SessionHarness.StartAsync();
        Assert.StartsWith("503 Send USER first.", await session.SendAsync("PASS x"));
        Assert.StartsWith("501 Missing argument. Syntax: USER <name>", await session.SendAsync("USER"));
        Assert.StartsWith("331 ", await session.SendAsync("USER alice"));
        Assert.StartsWith("530 Login incorrect.", await session.SendAsync("PASS wrong-password"));
        await session.LoginAsync();
        Assert.StartsWith("503 Already logged in; send REIN first", await session.SendAsync("USER bob"));
        Assert.StartsWith("503 Already logged in.", await session.SendAsync("PASS x"));
    }

    [Fact]
    public async Task Before_login_only_the_pre_login_verbs_are_served()
    {
        await using var session = await SessionHarness.StartAsync();
        foreach (var command in new[] { "PWD", "LIST", "CWD /", "SIZE x", "PASV", "STAT /", "SYST" })
        {
            Assert.StartsWith("530 Please log in with USER and PASS first.", await session.SendAsync(command));
        }

        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
        Assert.StartsWith("211-", await session.SendAsync("FEAT"));
        Assert.StartsWith("214-", await session.SendAsync("HELP"));
    }

    [Fact]
    public async Task User_before_tls_is_refused_when_tls_is_required()
    {
        await using var session = await SessionHarness.StartAsync(options => options.Tls.Policy = Configuration.TlsPolicy.Required);
        Assert.Equal("530 TLS is required on this server: send AUTH TLS before USER (in your client, choose explicit FTP over TLS).\r\n", await session.SendAsync("USER alice"));
        Assert.StartsWith("503 PROT needs a TLS control connection", await session.SendAsync("PROT P"));
    }

    [Fact]
    public async Task Auth_is_refused_when_tls_is_disabled_and_unknown_mechanisms_get_504()
    {
        await using (var disabled = await SessionHarness.StartAsync(options => options.Tls.Policy = Configuration.TlsPolicy.Disabled))
        {
            Assert.StartsWith("534 TLS is disabled on this server", await disabled.SendAsync("AUTH TLS"));
        }

        await using var session = await SessionHarness.StartAsync();
        Assert.StartsWith("504 Unknown security mechanism", await session.SendAsync("AUTH KERBEROS"));
        Assert.StartsWith("503 ", await session.SendAsync("PBSZ 0"));
    }

    [Fact]
    public async Task Rein_logs_out_and_quit_says_goodbye()
    {
        await using var session = await SessionHarness.StartAsync();
        await session.LoginAsync();
        Assert.StartsWith("220 ", await session.SendAsync("REIN"));
        Assert.StartsWith("530 ", await session.SendAsync("PWD"));
        Assert.StartsWith("502 ACCT is not needed on this server", await session.SendAsync("ACCT anything"));
        Assert.StartsWith("221 ", await session.SendAsync("QUIT"));
    }

    [Fact]
    public async Task Information_verbs_answer_after_login()
    {
        await using var session = await SessionHarness.StartAsync();
        await session.LoginAsync();
        Assert.StartsWith("215 UNIX Type: L8", await session.SendAsync("SYST"));
        Assert.StartsWith("211-", await session.SendAsync("STAT"));
        Assert.StartsWith("214", await session.SendAsync("SITE HELP"));
        Assert.StartsWith("200 ", await session.SendAsync("OPTS UTF8 ON"));
        Assert.StartsWith("214 Syntax: RETR <file>", await session.SendAsync("HELP RETR"));
        Assert.StartsWith("502 FROB is not implemented", await session.SendAsync("FROB"));
    }

    [Fact]
    public async Task Feat_lists_what_the_command_table_offers()
    {
        await using var session = await SessionHarness.StartAsync();
        var feat = await session.SendAsync("FEAT");
        foreach (var feature in new[] { "EPSV", "EPRT", "MLST", "SIZE", "MDTM", "REST STREAM", "UTF8", "HASH" })
        {
            Assert.Contains(" " + feature, feat, StringComparison.Ordinal);
        }

        Assert.EndsWith("211 End\r\n", feat);
    }

    [Fact]
    public async Task Parameters_are_accepted_or_refused_with_the_syntax()
    {
        await using var session = await SessionHarness.StartAsync();
        await session.LoginAsync();
        Assert.StartsWith("200 ", await session.SendAsync("TYPE I"));
        Assert.StartsWith("200 ", await session.SendAsync("TYPE A"));
        Assert.StartsWith("504 ", await session.SendAsync("TYPE E"));
        Assert.StartsWith("200 ", await session.SendAsync("MODE S"));
        Assert.StartsWith("504 ", await session.SendAsync("MODE B"));
        Assert.StartsWith("200 ", await session.SendAsync("STRU F"));
        Assert.StartsWith("504 ", await session.SendAsync("STRU R"));
        Assert.StartsWith("202 ", await session.SendAsync("ALLO 1000"));
        Assert.StartsWith("350 ", await session.SendAsync("REST 100"));
        Assert.StartsWith("501 ", await session.SendAsync("REST -5"));
    }

    [Fact]
    public async Task Host_is_accepted_before_user_only()
    {
        await using var session = await SessionHarness.StartAsync();
        Assert.StartsWith("501 ", await session.SendAsync("HOST"));
        Assert.StartsWith("220 Host accepted.", await session.SendAsync("HOST files.example.com"));
        await session.LoginAsync();
        Assert.StartsWith("503 HOST must come before USER.", await session.SendAsync("HOST other.example.com"));
    }

    [Fact]
    public async Task A_proxy_header_after_the_banner_closes_the_connection()
    {
        await using var session = await SessionHarness.StartAsync();
        Assert.StartsWith("421 PROXY headers are accepted only from trusted load balancers.", await session.SendAsync("PROXY TCP4 192.0.2.1 192.0.2.2 1 2"));
    }
}
