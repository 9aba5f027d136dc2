using System.Diagnostics;
using System.Net;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// The last step, for ftp:// only: PASV in plain text against PASV inside TLS, which shows an FTP ALG.
public sealed partial class FtpDoctor
{
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
                return new DoctorSession(session.Control, options, Report, session.MaxSegmentSize);
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
}
