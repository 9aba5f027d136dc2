using System.Diagnostics;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// The "long transfer" step (--long-transfer S): an upload held open S seconds, then whether the control connection answers.
internal sealed partial class DataChannels
{
    private const int TrickleChunk = 1024;

    public async Task LongTransferAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var seconds = session.Options.LongTransferSeconds;
        var name = DoctorFileName();
        var upload = await PassiveTransferAsync("STOR " + name, new byte[TrickleChunk * seconds], seconds, cancellationToken).ConfigureAwait(false);
        var lost = upload.ControlLost;
        if (lost is null && upload.Succeeded)
        {
            try
            {
                await Control.SendAsync("NOOP", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
            {
                lost = error;
            }
        }

        if (lost is not null)
        {
            session.Record("long transfer", StepVerdict.Failed, $"{seconds} s upload; then the control connection: {DataSockets.Explain(lost)} (left {name} behind)", clock);
            session.Report.Find(DoctorFindings.ControlConnectionDied(seconds, DataSockets.Explain(lost)));
            return;
        }

        await DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        if (upload.Succeeded)
        {
            session.Record("long transfer", StepVerdict.Ok, $"{seconds} s upload, and the control connection still answers", clock);
        }
        else
        {
            session.Record("long transfer", upload.Refused ? StepVerdict.Skipped : StepVerdict.Failed, upload.Detail, clock);
        }
    }
}
