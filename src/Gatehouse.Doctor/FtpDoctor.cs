using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

/// <summary>
/// `gatehouse doctor`: connects to a server as a client would, step by step, and reports what goes wrong with the
/// fix. A finding is only reported when a step actually failed or came back altered, never from a guess.
/// This file runs the steps in order; each step has its own file: FtpDoctor.Connect.cs (resolve, connect, greeting),
/// FtpDoctor.Tls.cs (AUTH TLS, handshake, certificate), FtpDoctor.Login.cs (login, protect data, folder),
/// DataChannels.*.cs (EPSV and PASV, upload and download, active mode, long transfer),
/// FtpDoctor.CompareWithTls.cs (an address rewritten in transit) and FtpDoctor.RetryExchange.cs (a transfer that
/// stalled, tried again with small TCP segments).
/// </summary>
public sealed partial class FtpDoctor(DoctorOptions options, TimeProvider time)
{
    private readonly List<string> _transcript = [];

    /// <summary>Why the TLS handshake stalled on a connection with the system's segment size, until it is retried with small ones.</summary>
    private string? _stalledHandshake;

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
        catch (PlainTextInTlsException error)
        {
            var step = StepOf(error.Command);
            Report.Add(new DoctorStep(step, StepVerdict.Failed, $"the server answered {error.Command} in plain text inside TLS: {error.Text}", TimeSpan.Zero));
            Report.Find(DoctorFindings.PlainTextInTls(step, error.Command, error.Text));
        }
        catch (Exception error) when (IsConnectionFailure(error))
        {
            // The server closed or stopped answering the control connection between steps.
            var lastStep = Report.Steps.Count > 0 ? Report.Steps[^1].Name : "connect";
            if (Report.TlsSessionRefusal is not null)
            {
                Report.Add(new DoctorStep("control connection", StepVerdict.Failed, $"{DataSockets.Explain(error)}, which follows from the refused data connection above", TimeSpan.Zero));
                return Report;
            }

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
            if (channels.CanOpen && await channels.ExchangeAsync(cancellationToken).ConfigureAwait(false) is { } stall)
            {
                // The server still waits for the transfer that stalled, so this control connection is done with.
                await RetryExchangeAsync(address, stall, cancellationToken).ConfigureAwait(false);
                return;
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

    /// <summary>The step that sends <paramref name="verb"/>.</summary>
    private static string StepOf(string verb) => verb switch
    {
        "USER" or "PASS" => "login",
        "PBSZ" or "PROT" => "protect data",
        "CWD" => "folder",
        _ => verb,
    };

    internal static bool IsConnectionFailure(Exception error) =>
        error is IOException or SocketException or TimeoutException or AuthenticationException or ProtocolViolationException or ObjectDisposedException;
}
