using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// Topologies 1 to 3 with vsftpd, configured as its manual recommends, and the same clients and steps as
/// Gatehouse gets (<see cref="NatAndFirewallTests"/>, where every one of them works). The outcomes are asserted
/// as observed, so the side-by-side table in docs/deployment.md stays true. Python's ftplib fails everywhere against
/// vsftpd: it does not resume the control connection's TLS session on data connections, which vsftpd's default
/// require_ssl_reuse=YES demands ("522 SSL connection failed: session reuse required").
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class PeerComparisonTests(ITestOutputHelper output)
{
    private static readonly (string Name, Func<LabHost, LabTarget, Task<string>> Run)[] Passive =
    [
        ("ftplib PASV", (client, target) => LabFtp.FtplibAsync(client, target, "pasv")),
        ("ftplib EPSV", (client, target) => LabFtp.FtplibAsync(client, target, "epsv")),
        ("curl EPSV", async (client, target) => { await LabFtp.CurlAsync(client, target, epsv: true); return string.Empty; }),
        ("curl PASV", async (client, target) => { await LabFtp.CurlAsync(client, target, epsv: false); return string.Empty; }),
        ("lftp passive", async (client, target) => { await LabFtp.LftpAsync(client, target, passive: true); return string.Empty; }),
    ];

    [Fact]
    public async Task Vsftpd_with_a_client_behind_nat()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.ClientBehindNatAsync(lab);
        using var certificate = new LabCertificate(rsa: true, "198.18.1.10");
        await using var vsftpd = await VsftpdServer.StartAsync(server, certificate);
        var results = await RunAsync(client, vsftpd.Target("198.18.1.10", certificate), ("ftplib PORT", (c, t) => LabFtp.FtplibAsync(c, t, "port")));
        Report(results, works: ["curl EPSV", "curl PASV", "lftp passive"]);

        // Like Gatehouse it refuses a PORT that names the client's private address, without saying why.
        Assert.Contains("500 Illegal PORT command.", Outcome(results, "ftplib PORT"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vsftpd_behind_a_nat_router()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (internet, lan, server) = await Topologies.ServerBehindNatAsync(lab);
        using var certificate = new LabCertificate(rsa: true, "198.18.2.1", "172.16.0.10");
        await using var vsftpd = await VsftpdServer.StartAsync(server, certificate, passiveAddress: "198.18.2.1");
        var results = await RunAsync(internet, vsftpd.Target("198.18.2.1", certificate), ("ftplib PORT", (c, t) => LabFtp.FtplibAsync(c, t, "port")));
        results.AddRange(await RunAsync(lan, vsftpd.Target("172.16.0.10", certificate), [], prefix: "LAN "));
        Report(results, works: ["curl EPSV", "curl PASV", "lftp passive", "LAN curl EPSV", "LAN curl PASV", "LAN lftp passive"]);

        // vsftpd has one pasv_address for everyone: the LAN client is told the public address, which it cannot use.
        // (curl and lftp pass only because they ignore the address in 227 or use EPSV.)
        Assert.Contains("227 Entering Passive Mode (198,18,2,1,", Outcome(results, "LAN ftplib PASV"), StringComparison.Ordinal);
        Assert.Contains("Connection refused", Outcome(results, "LAN ftplib PASV"), StringComparison.Ordinal);

        // gatehouse doctor against vsftpd: its data connections must resume the control connection's TLS session,
        // which the doctor does, as curl and lftp do.
        var (code, doctor) = await DoctorRun.RunWithPasswordAsync($"ftps://{VsftpdServer.User}@198.18.2.1:{LabFtp.ControlPort}", internet.Namespace, VsftpdServer.Password, "--ca-file", certificate.CertificateFile);
        output.WriteLine(doctor);
        Assert.True(code == 0, doctor);
        Assert.Contains("; data TLS resumed the control session", doctor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vsftpd_between_restrictive_firewalls()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var (client, server) = await Topologies.RestrictiveFirewallsAsync(lab);
        using var certificate = new LabCertificate(rsa: true, "10.30.0.10");
        await using var vsftpd = await VsftpdServer.StartAsync(server, certificate);
        var results = await RunAsync(client, vsftpd.Target("10.30.0.10", certificate), ("active refused with 4xx", (c, t) => LabFtp.FtplibActiveRefusedAsync(c, t, "4xx")));
        Report(results, works: ["curl EPSV", "curl PASV", "lftp passive", "active refused with 4xx"]);
        Assert.Contains("425 Failed to establish connection.", Outcome(results, "active refused with 4xx"), StringComparison.Ordinal);
    }

    private static async Task<List<(string Check, string Outcome)>> RunAsync(
        LabHost client, LabTarget target, (string Name, Func<LabHost, LabTarget, Task<string>> Run)[] extra, string prefix = "")
    {
        var results = new List<(string, string)>();
        foreach (var (name, run) in Passive.Concat(extra))
        {
            results.Add((prefix + name, await OutcomeAsync(() => run(client, target))));
        }

        return results;
    }

    /// <summary>
    /// A check that fails is tried once more before it counts as failing: on a slow CI machine lftp against vsftpd
    /// once failed a transfer that works on every other run, and the table is about what a peer can do, not about
    /// one unlucky attempt. The first failure stays in the outcome, so the log shows it.
    /// </summary>
    private static async Task<string> OutcomeAsync(Func<Task<string>> run)
    {
        try
        {
            return "works " + await run();
        }
        catch (XunitException first)
        {
            try
            {
                return $"works on the second attempt {await run()}; the first FAILED: {first.Message}";
            }
            catch (XunitException second)
            {
                return "FAILS: " + second.Message;
            }
        }
    }

    private static Task<List<(string Check, string Outcome)>> RunAsync(LabHost client, LabTarget target, (string Name, Func<LabHost, LabTarget, Task<string>> Run) extra) =>
        RunAsync(client, target, [extra]);

    private static string Outcome(List<(string Check, string Outcome)> results, string check) => results.Single(result => result.Check == check).Outcome;

    /// <summary>
    /// Logs every outcome; the checks in <paramref name="works"/> must have worked and all others failed, except lftp's
    /// uploads, which may go either way: vsftpd sends TLS 1.3 session tickets on upload data connections, lftp never
    /// reads them, and the reset its kernel sends at the close races the end of the upload ("426 Failure reading
    /// network stream"; curl issue #6149 describes the same with old curl). Gatehouse withholds those tickets.
    /// </summary>
    private void Report(List<(string Check, string Outcome)> results, string[] works)
    {
        foreach (var (check, outcome) in results)
        {
            output.WriteLine($"{check}: {outcome}");
        }

        static bool Racy(string check, string outcome) => check.EndsWith("lftp passive", StringComparison.Ordinal)
            && outcome.Contains("426 Failure reading network stream", StringComparison.Ordinal);
        Assert.Equal(
            works.Order(StringComparer.Ordinal),
            results.Where(result => result.Outcome.StartsWith("works", StringComparison.Ordinal) || Racy(result.Check, result.Outcome))
                .Select(result => result.Check).Order(StringComparer.Ordinal));
    }
}
