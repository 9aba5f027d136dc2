using System.Diagnostics;
using System.Security.Cryptography;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// The "upload and download" step: random bytes up, the same bytes back, compared byte for byte, then deleted.
internal sealed partial class DataChannels
{
    private const int ExchangeSize = 64 * 1024;

    /// <returns>
    /// How the step stalled, when it did on connections of the system's segment size and so may have met a path-MTU
    /// black hole: no finding is made then, the caller retries with small segments (FtpDoctor.RetryExchangeAsync).
    /// </returns>
    public async Task<TransferStall?> ExchangeAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var name = DoctorFileName();
        var payload = RandomNumberGenerator.GetBytes(ExchangeSize);
        var stored = await PassiveTransferAsync("STOR " + name, payload, trickleSeconds: 0, cancellationToken).ConfigureAwait(false);
        if (!stored.Succeeded)
        {
            if (stored.Refused)
            {
                // Permissions are the server's business, not a network problem: say so and go on.
                session.Record("upload and download", StepVerdict.Skipped, $"this user may not upload here: {stored.Detail}", clock);
            }
            else
            {
                session.Record("upload and download", StepVerdict.Failed, $"upload: {stored.Detail}", clock);
                return Stall("upload", stored);
            }

            return null;
        }

        var fetched = await PassiveTransferAsync("RETR " + name, upload: null, trickleSeconds: 0, cancellationToken).ConfigureAwait(false);
        await DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        if (!fetched.Succeeded)
        {
            session.Record("upload and download", StepVerdict.Failed, $"download: {fetched.Detail}", clock);
            return Stall("download", fetched);
        }
        else if (!fetched.Received.AsSpan().SequenceEqual(payload))
        {
            session.Record("upload and download", StepVerdict.Failed, $"{fetched.Received.Length} bytes back of {payload.Length} sent, not the same", clock);
            session.Report.Find(DoctorFindings.TransferCorrupted(fetched.Received.Length, payload.Length));
        }
        else
        {
            session.Record("upload and download", StepVerdict.Ok, $"{payload.Length} bytes each way, byte-exact", clock);
        }

        return null;
    }

    private TransferStall? Stall(string what, TransferResult failure)
    {
        var stall = new TransferStall(what, failure.Detail);
        if (failure.Stalled && session.MaxSegmentSize == 0 && SegmentSize.CanLimit)
        {
            return stall;
        }

        session.Report.Find(stall.Finding());
        return null;
    }
}

/// <summary>An upload or download that failed by time-out, and the finding it makes when small segments do not help.</summary>
internal sealed record TransferStall(string What, string Reason)
{
    public DoctorFinding Finding() => DoctorFindings.TransferFailed(What, Reason);
}
