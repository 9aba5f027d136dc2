using System.Diagnostics;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// The login step, then what prepares the session for data: PBSZ/PROT P ("protect data"), the folder, TYPE I.
public sealed partial class FtpDoctor
{
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
}
