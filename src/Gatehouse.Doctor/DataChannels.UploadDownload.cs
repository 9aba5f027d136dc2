using System.Diagnostics;
using System.Security.Cryptography;

namespace Gatehouse.Doctor;

// The "upload and download" step: random bytes up, the same bytes back, compared byte for byte, then deleted.
internal sealed partial class DataChannels
{
    private const int ExchangeSize = 64 * 1024;

    public async Task ExchangeAsync(CancellationToken cancellationToken)
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
                session.Report.Find(DoctorFindings.TransferFailed("upload", stored.Detail));
            }

            return;
        }

        var fetched = await PassiveTransferAsync("RETR " + name, upload: null, trickleSeconds: 0, cancellationToken).ConfigureAwait(false);
        await DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        if (!fetched.Succeeded)
        {
            session.Record("upload and download", StepVerdict.Failed, $"download: {fetched.Detail}", clock);
            session.Report.Find(DoctorFindings.TransferFailed("download", fetched.Detail));
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
    }
}
