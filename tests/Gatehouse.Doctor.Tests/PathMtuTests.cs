using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Doctor.Tests;

/// <summary>
/// The doctor's retry of a stalled TLS handshake with small TCP segments, against <see cref="BlackHoleServer"/>. Lab
/// topology 8 (EndToEnd Lab/DoctorLabTests.cs) shows the same through a real tunnel that drops large packets.
/// </summary>
public sealed class PathMtuTests
{
    [Fact]
    public async Task A_handshake_that_works_only_with_small_segments_is_named_a_path_mtu_black_hole()
    {
        await using var server = new BlackHoleServer(handshakesWithSmallSegments: true);
        var report = await DiagnoseAsync(server);

        Assert.Equal(
            ["Large packets are lost between you and the server: the TLS handshake stalled (no TLS handshake within 2 s) and worked when retried with TCP segments of at most 1000 bytes. "
             + "This is a path-MTU black hole: a tunnel or VPN on the path has a smaller MTU, and the ICMP \"fragmentation needed\" that would say so is dropped.",
             "The login was refused: \"530 Login incorrect\"."],
            report.Findings.Select(finding => finding.Problem));
        Assert.Contains("tcp flags syn tcp option maxseg size set rt mtu", report.Findings[0].Fix, StringComparison.Ordinal);
        Assert.Equal(
            ["connect ok", "greeting ok", "tls Failed", "connect ok", "greeting ok", "tls ok", "login Failed"],
            report.Steps.Select(step => $"{step.Name} {(step.Verdict == StepVerdict.Ok ? "ok" : step.Verdict)}"));
        Assert.EndsWith(", TCP segments of at most 1000 bytes", report.Steps[3].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handshake_that_stalls_with_small_segments_too_is_reported_as_a_failed_handshake()
    {
        await using var server = new BlackHoleServer(handshakesWithSmallSegments: false);
        var report = await DiagnoseAsync(server);

        var finding = Assert.Single(report.Findings);
        Assert.Equal("The TLS handshake failed: no TLS handshake within 2 s.", finding.Problem);
        Assert.DoesNotContain("MTU", finding.Problem + finding.Fix, StringComparison.Ordinal);
    }

    private static async Task<DoctorReport> DiagnoseAsync(BlackHoleServer server)
    {
        var options = new DoctorOptions(
            new DoctorTarget(DoctorSecurity.Explicit, "alice", "127.0.0.1", server.Port, "/"),
            "secret",
            TrustedAuthorities: new X509Certificate2Collection(X509CertificateLoader.LoadCertificate(server.Certificate.RawData)),
            Timeout: TimeSpan.FromSeconds(2));
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await new FtpDoctor(options, TimeProvider.System).RunAsync(limit.Token);
    }
}
