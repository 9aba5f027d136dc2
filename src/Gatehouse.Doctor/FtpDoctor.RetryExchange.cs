using System.Diagnostics;
using System.Net;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// An upload or download that stalled, tried again on a new session whose connections all send small TCP segments.
public sealed partial class FtpDoctor
{
    /// <summary>
    /// Runs the transfer step again on a second session, set up quietly, with TCP segments of at most
    /// <see cref="SegmentSize.Small"/> bytes: if it then works, the path loses large packets (a path-MTU black hole);
    /// if not, the stall is reported as the failed transfer it is.
    /// </summary>
    private async Task RetryExchangeAsync(IPAddress address, TransferStall stall, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var retry = new FtpDoctor(options, time);
        try
        {
            var session = await retry.OpenAsync(address, Target.Security, verifyCertificate: false, SegmentSize.Small, cancellationToken).ConfigureAwait(false);
            if (session is not null)
            {
                await using (session.ConfigureAwait(false))
                {
                    if (await retry.LoginAsync(session, "login", cancellationToken).ConfigureAwait(false) && await retry.PrepareAsync(session, cancellationToken).ConfigureAwait(false))
                    {
                        var channels = new DataChannels(session);
                        await channels.ProbePassiveAsync(cancellationToken).ConfigureAwait(false);
                        if (channels.CanOpen)
                        {
                            await channels.ExchangeAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }
        }
        catch (Exception error) when (IsConnectionFailure(error))
        {
            // The retry's own failure is the answer: small segments did not help.
        }

        if (retry.Report.Steps is [.., { Name: "upload and download", Verdict: StepVerdict.Ok }])
        {
            Report.Add(new DoctorStep("small segments", StepVerdict.Ok, $"on a new session with TCP segments of at most {SegmentSize.Small} bytes the upload and download worked", clock.Elapsed));
            Report.Find(DoctorFindings.PathMtuBlackHole(stall.What, stall.Reason, SegmentSize.Small));
        }
        else
        {
            Report.Add(new DoctorStep("small segments", StepVerdict.Failed, $"on a new session with TCP segments of at most {SegmentSize.Small} bytes the transfer did not work either", clock.Elapsed));
            Report.Find(stall.Finding());
        }
    }
}
