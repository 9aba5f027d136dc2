using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Doctor;

/// <summary>
/// `gatehouse doctor`: connects to a server as a client would, step by step, and reports what goes wrong with the
/// fix. A finding is only reported when a step actually failed or came back altered, never from a guess.
/// </summary>
public sealed class FtpDoctor(DoctorOptions options, TimeProvider time)
{
    private readonly List<string> _transcript = [];

    public DoctorReport Report { get; } = new();

    /// <summary>Every command sent (passwords masked) and reply received, for --verbose.</summary>
    public IReadOnlyList<string> Transcript => _transcript;

    private DoctorTarget Target => options.Target;

    public async Task<DoctorReport> RunAsync(CancellationToken cancellationToken)
    {
        var address = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (address is null)
        {
            return Report;
        }

        try
        {
            await ExamineAsync(address, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsConnectionFailure(error))
        {
            // The server closed or stopped answering the control connection between steps.
            var lastStep = Report.Steps.Count > 0 ? Report.Steps[^1].Name : "connect";
            Report.Add(new DoctorStep("control connection", StepVerdict.Failed, DataSockets.Explain(error), TimeSpan.Zero));
            Report.Find(DoctorFindings.ControlConnectionLost(lastStep, DataSockets.Explain(error)));
        }

        return Report;
    }

    private async Task ExamineAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(address, Target.Security, verifyCertificate: true, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        await using (session.ConfigureAwait(false))
        {
            if (!await LoginAsync(session, "login", cancellationToken).ConfigureAwait(false)
                || !await PrepareAsync(session, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var channels = new DataChannels(session);
            var announced = await channels.ProbePassiveAsync(cancellationToken).ConfigureAwait(false);
            if (channels.CanOpen)
            {
                await channels.ExchangeAsync(cancellationToken).ConfigureAwait(false);
            }

            if (options.TryActive)
            {
                await channels.ActiveAsync(cancellationToken).ConfigureAwait(false);
            }

            if (options.LongTransferSeconds > 0 && channels.CanOpen)
            {
                await channels.LongTransferAsync(cancellationToken).ConfigureAwait(false);
            }

            await QuitAsync(session, cancellationToken).ConfigureAwait(false);
            if (Target.Security == DoctorSecurity.Plain && announced is not null)
            {
                await CompareWithTlsAsync(address, announced, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<IPAddress?> ResolveAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (IPAddress.TryParse(Target.Host, out var literal))
        {
            return literal;
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(Target.Host, cancellationToken).ConfigureAwait(false);
            var chosen = addresses.FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (chosen is null)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            Report.Add(new DoctorStep("resolve", StepVerdict.Ok, $"{Target.Host} is {string.Join(", ", addresses.Select(a => a.ToString()))}", clock.Elapsed));
            return chosen;
        }
        catch (SocketException error)
        {
            Report.Add(new DoctorStep("resolve", StepVerdict.Failed, error.Message, clock.Elapsed));
            Report.Find(DoctorFindings.NameDoesNotResolve(Target.Host, error.Message));
            return null;
        }
    }

    /// <summary>Connects, reads the greeting and secures the connection as <paramref name="security"/> says.</summary>
    private async Task<DoctorSession?> OpenAsync(IPAddress address, DoctorSecurity security, bool verifyCertificate, CancellationToken cancellationToken)
    {
        var server = new IPEndPoint(address, Target.Port);
        var clock = Stopwatch.StartNew();
        ControlClient control;
        try
        {
            control = await ControlClient.ConnectAsync(server, options.StepTimeout, options.StepTimeout, _transcript, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is SocketException or TimeoutException)
        {
            Report.Add(new DoctorStep("connect", StepVerdict.Failed, $"{server}: {DataSockets.Explain(error)}", clock.Elapsed));
            Report.Find(DataSockets.IsTimeout(error) ? DoctorFindings.ControlPortFiltered(server, DataSockets.Explain(error)) : DoctorFindings.ControlPortClosed(server, DataSockets.Explain(error)));
            return null;
        }

        Report.Add(new DoctorStep("connect", StepVerdict.Ok, $"{server} from {control.Local}", clock.Elapsed));
        var session = new DoctorSession(control, options, Report);
        try
        {
            if (security == DoctorSecurity.Implicit && !await StartTlsAsync(session, "tls", verifyCertificate, cancellationToken).ConfigureAwait(false))
            {
                await session.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            if (!await GreetingAsync(session, cancellationToken).ConfigureAwait(false)
                || (security == DoctorSecurity.Explicit && !await AuthTlsAsync(session, verifyCertificate, cancellationToken).ConfigureAwait(false)))
            {
                await session.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<bool> GreetingAsync(DoctorSession session, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var greeting = await session.Control.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            var text = ControlClient.Describe(greeting);
            if (greeting.Code == 220)
            {
                session.Record("greeting", StepVerdict.Ok, text, clock);
                return true;
            }

            session.Record("greeting", StepVerdict.Failed, text, clock);
            Report.Find(greeting.Code == 421 ? DoctorFindings.Unavailable(text) : DoctorFindings.NoGreeting($"it said \"{text}\""));
            return false;
        }
        catch (Exception error) when (IsConnectionFailure(error))
        {
            session.Record("greeting", StepVerdict.Failed, DataSockets.Explain(error), clock);
            Report.Find(Target.Security == DoctorSecurity.Explicit && error is TimeoutException && await AnswersTlsAsync(session.Control.Remote, cancellationToken).ConfigureAwait(false)
                ? DoctorFindings.ExplicitOnImplicitPort()
                : DoctorFindings.NoGreeting(DataSockets.Explain(error)));
            return false;
        }
    }

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
            Report.Find(Target.Security == DoctorSecurity.Implicit && await GreetsInPlainTextAsync(session.Control.Remote, cancellationToken).ConfigureAwait(false)
                ? DoctorFindings.ImplicitOnExplicitPort()
                : DoctorFindings.TlsHandshakeFailed(DataSockets.Explain(error)));
            return false;
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

    private async Task<bool> LoginAsync(DoctorSession session, string step, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var reply = await session.Control.SendAsync("USER " + Target.User, cancellationToken).ConfigureAwait(false);
        if (reply.Code is 530 or 534 && session.Control.Tls is null
            && (await session.Control.SendAsync("AUTH TLS", cancellationToken).ConfigureAwait(false)).Code == 234)
        {
            // Refused before any password, on a connection that could have used TLS: the server requires it.
            session.Record(step, StepVerdict.Failed, ControlClient.Describe(reply), clock);
            Report.Find(DoctorFindings.TlsRequired(ControlClient.Describe(reply)));
            return false;
        }

        if (reply.Code == 331)
        {
            reply = await session.Control.SendAsync("PASS " + options.Password, cancellationToken).ConfigureAwait(false);
        }

        if (reply.Code is 230 or 202)
        {
            session.Record(step, StepVerdict.Ok, $"as {Target.User}", clock);
            return true;
        }

        session.Record(step, StepVerdict.Failed, ControlClient.Describe(reply), clock);
        Report.Find(reply.Code == 421 ? DoctorFindings.Unavailable(ControlClient.Describe(reply)) : DoctorFindings.LoginRefused(ControlClient.Describe(reply)));
        return false;
    }

    private async Task<bool> PrepareAsync(DoctorSession session, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (session.Control.Tls is not null)
        {
            await session.Control.SendAsync("PBSZ 0", cancellationToken).ConfigureAwait(false);
            var protect = await session.Control.SendAsync("PROT P", cancellationToken).ConfigureAwait(false);
            if (protect.Code != 200)
            {
                session.Record("protect data", StepVerdict.Failed, ControlClient.Describe(protect), clock);
                Report.Find(DoctorFindings.ProtectionRefused(ControlClient.Describe(protect)));
                return false;
            }

            session.Record("protect data", StepVerdict.Ok, "PROT P: data connections use TLS", clock);
        }
        else
        {
            session.DataTls = null;
        }

        if (Target.Folder != "/")
        {
            clock.Restart();
            var changed = await session.Control.SendAsync("CWD " + Target.Folder, cancellationToken).ConfigureAwait(false);
            if (changed.Code != 250)
            {
                session.Record("folder", StepVerdict.Failed, ControlClient.Describe(changed), clock);
                Report.Find(DoctorFindings.FolderMissing(Target.Folder, ControlClient.Describe(changed)));
                return false;
            }

            session.Record("folder", StepVerdict.Ok, Target.Folder, clock);
        }

        await session.Control.SendAsync("TYPE I", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A plain session's PASV address against a TLS session's: a router with an FTP helper (ALG) rewrites the
    /// plain reply, cannot read the TLS one, and so hides a missing passive address from plain clients only.
    /// </summary>
    private async Task CompareWithTlsAsync(IPAddress address, IPEndPoint plainAnnounced, CancellationToken cancellationToken)
    {
        var session = await OpenQuietlyAsync(address, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        await using (session.ConfigureAwait(false))
        {
            var clock = Stopwatch.StartNew();
            var reply = await session.Control.SendAsync("PASV", cancellationToken).ConfigureAwait(false);
            if (!PassiveReplies.TryParsePasv(reply, out var secured))
            {
                return;
            }

            if (secured.Address.Equals(plainAnnounced.Address))
            {
                session.Record("compare with tls", StepVerdict.Ok, $"PASV names {secured.Address} in plain text and inside TLS alike", clock);
            }
            else
            {
                session.Record("compare with tls", StepVerdict.Failed, $"PASV named {plainAnnounced.Address} in plain text, {secured.Address} inside TLS", clock);
                Report.Find(DoctorFindings.AddressRewritten(plainAnnounced.Address, secured.Address));
            }

            await QuitAsync(session, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A second, TLS session used only for comparison: its set-up is not reported as steps.</summary>
    private async Task<DoctorSession?> OpenQuietlyAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var quiet = new FtpDoctor(options with { Target = Target with { Security = DoctorSecurity.Explicit } }, time);
        try
        {
            var session = await quiet.OpenAsync(address, DoctorSecurity.Explicit, verifyCertificate: false, cancellationToken).ConfigureAwait(false);
            if (session is not null && await quiet.LoginAsync(session, "login", cancellationToken).ConfigureAwait(false))
            {
                await session.Control.SendAsync("PBSZ 0", cancellationToken).ConfigureAwait(false);
                await session.Control.SendAsync("PROT P", cancellationToken).ConfigureAwait(false);
                return new DoctorSession(session.Control, options, Report);
            }

            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception error) when (IsConnectionFailure(error))
        {
            // A server without TLS cannot be compared; that is no finding for a caller who asked for ftp://.
        }

        return null;
    }

    private static async Task QuitAsync(DoctorSession session, CancellationToken cancellationToken)
    {
        try
        {
            await session.Control.SendAsync("QUIT", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsConnectionFailure(error))
        {
            // Leaving is best effort: every finding has been made by now.
        }
    }

    /// <summary>Whether a fresh connection answers a TLS handshake (an implicit-TLS port that the caller reached as explicit).</summary>
    private async Task<bool> AnswersTlsAsync(IPEndPoint server, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = await ControlClient.ConnectAsync(server, options.StepTimeout, options.StepTimeout, [], cancellationToken).ConfigureAwait(false);
            await probe.StartTlsAsync(ClientTls(new SeenCertificate()), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (IsConnectionFailure(error))
        {
            return false;
        }
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

    internal static bool IsConnectionFailure(Exception error) =>
        error is IOException or SocketException or TimeoutException or AuthenticationException or ProtocolViolationException or ObjectDisposedException;

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
