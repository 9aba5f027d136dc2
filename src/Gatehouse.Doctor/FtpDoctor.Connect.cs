using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// The first steps: resolve the name, connect to the control port, read the greeting.
public sealed partial class FtpDoctor
{
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

    /// <summary>
    /// Connects, reads the greeting and secures the connection as <paramref name="security"/> says. A TLS handshake
    /// that stalls is tried once more on a connection with small TCP segments: if that one works, the path loses large
    /// packets (<see cref="DoctorFindings.PathMtuBlackHole"/>), and the rest of the run goes on over small segments.
    /// </summary>
    private async Task<DoctorSession?> OpenAsync(IPAddress address, DoctorSecurity security, bool verifyCertificate, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(address, security, verifyCertificate, maxSegmentSize: 0, cancellationToken).ConfigureAwait(false);
        return session is null && _stalledHandshake is not null
            ? await OpenAsync(address, security, verifyCertificate, SegmentSize.Small, cancellationToken).ConfigureAwait(false)
            : session;
    }

    private async Task<DoctorSession?> OpenAsync(IPAddress address, DoctorSecurity security, bool verifyCertificate, int maxSegmentSize, CancellationToken cancellationToken)
    {
        var server = new IPEndPoint(address, Target.Port);
        var clock = Stopwatch.StartNew();
        ControlClient control;
        try
        {
            control = await ControlClient.ConnectAsync(server, options.StepTimeout, options.StepTimeout, _transcript, cancellationToken, maxSegmentSize).ConfigureAwait(false);
        }
        catch (Exception error) when (error is SocketException or TimeoutException)
        {
            Report.Add(new DoctorStep("connect", StepVerdict.Failed, $"{server}: {DataSockets.Explain(error)}", clock.Elapsed));
            Report.Find(DataSockets.IsTimeout(error) ? DoctorFindings.ControlPortFiltered(server, DataSockets.Explain(error)) : DoctorFindings.ControlPortClosed(server, DataSockets.Explain(error)));
            return null;
        }

        var segments = maxSegmentSize == 0 ? string.Empty : $", TCP segments of at most {maxSegmentSize} bytes";
        Report.Add(new DoctorStep("connect", StepVerdict.Ok, $"{server} from {control.Local}{segments}", clock.Elapsed));
        var session = new DoctorSession(control, options, Report, maxSegmentSize);
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
}
