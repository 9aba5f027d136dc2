using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// The TLS step: AUTH TLS (or TLS at once on an implicit port), the handshake, and the certificate's verdict.
public sealed partial class FtpDoctor
{
    private async Task<bool> AuthTlsAsync(DoctorSession session, bool verifyCertificate, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var reply = await session.Control.SendAsync("AUTH TLS", cancellationToken).ConfigureAwait(false);
        if (reply.Code != 234)
        {
            session.Record("auth tls", StepVerdict.Failed, ControlClient.Describe(reply), clock);
            Report.Find(DoctorFindings.TlsNotOffered(ControlClient.Describe(reply)));
            return false;
        }

        return await StartTlsAsync(session, "tls", verifyCertificate, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> StartTlsAsync(DoctorSession session, string step, bool verifyCertificate, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var seen = new SeenCertificate();
        var tlsOptions = ClientTls(seen);
        SslStream tls;
        try
        {
            tls = await session.Control.StartTlsAsync(tlsOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is AuthenticationException or IOException or TimeoutException)
        {
            session.Record(step, StepVerdict.Failed, DataSockets.Explain(error), clock);
            if (Target.Security == DoctorSecurity.Implicit && await GreetsInPlainTextAsync(session.Control.Remote, cancellationToken).ConfigureAwait(false))
            {
                Report.Find(DoctorFindings.ImplicitOnExplicitPort());
            }
            else if (error is TimeoutException && session.MaxSegmentSize == 0 && SegmentSize.CanLimit)
            {
                // The certificate's flight is the first large packet: OpenAsync tries again with small segments.
                _stalledHandshake = DataSockets.Explain(error);
            }
            else
            {
                Report.Find(DoctorFindings.TlsHandshakeFailed(_stalledHandshake ?? DataSockets.Explain(error)));
            }

            return false;
        }

        if (_stalledHandshake is { } stall && session.MaxSegmentSize != 0)
        {
            Report.Find(DoctorFindings.PathMtuBlackHole("TLS handshake", stall, session.MaxSegmentSize));
        }

        session.DataTls = ClientTls(new SeenCertificate());
        if (!verifyCertificate || seen.Certificate is null)
        {
            session.Record(step, StepVerdict.Ok, Describe(tls), clock);
            return true;
        }

        using var certificate = seen.Certificate;
        var findings = CertificateCheck.Evaluate(certificate, seen.Errors, seen.Chain, Target.Host, time.GetUtcNow(), out var blocking);
        var detail = $"{Describe(tls)}; certificate for {CertificateCheck.Names(certificate)}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}";
        session.Record(step, findings.Count == 0 ? StepVerdict.Ok : blocking ? StepVerdict.Failed : StepVerdict.Warning, detail, clock);
        findings.ForEach(Report.Find);
        if (blocking && !options.Insecure)
        {
            Report.Add(new DoctorStep("login", StepVerdict.Skipped, "the password was not sent over a connection whose certificate cannot be trusted; --insecure tests the rest anyway", TimeSpan.Zero));
            return false;
        }

        return true;
    }

    private static string Describe(SslStream tls)
    {
        var version = tls.SslProtocol switch
        {
            SslProtocols.Tls13 => "TLS 1.3",
            SslProtocols.Tls12 => "TLS 1.2",
            var other => other.ToString(),
        };
        return $"{version}, {tls.NegotiatedCipherSuite}";
    }

    private SslClientAuthenticationOptions ClientTls(SeenCertificate seen)
    {
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = Target.Host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // The doctor judges the certificate itself (CertificateCheck) and reports every problem, not only the first.
            RemoteCertificateValidationCallback = seen.Remember,
        };
        if (options.TrustedAuthorities is { Count: > 0 } authorities)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(authorities);
            tls.CertificateChainPolicy = policy;
        }

        return tls;
    }

    /// <summary>Whether a fresh connection greets in plain text (an explicit port that the caller reached with --implicit).</summary>
    private async Task<bool> GreetsInPlainTextAsync(IPEndPoint server, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = await ControlClient.ConnectAsync(server, options.StepTimeout, options.StepTimeout, [], cancellationToken).ConfigureAwait(false);
            return (await probe.ReadReplyAsync(cancellationToken).ConfigureAwait(false)).Code == 220;
        }
        catch (Exception error) when (IsConnectionFailure(error))
        {
            return false;
        }
    }

    /// <summary>What the validation callback saw, kept for <see cref="CertificateCheck"/>.</summary>
    private sealed class SeenCertificate
    {
        public X509Certificate2? Certificate { get; private set; }

        public SslPolicyErrors Errors { get; private set; }

        public List<X509ChainStatus> Chain { get; } = [];

        public bool Remember(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate is not null && Certificate is null)
            {
                Certificate = new X509Certificate2(certificate);
                Errors = errors;
                Chain.AddRange(chain?.ChainStatus ?? []);
            }

            return true;
        }
    }
}
