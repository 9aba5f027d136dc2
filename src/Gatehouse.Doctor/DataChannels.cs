using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

/// <summary>
/// The doctor's data-channel steps: each passive method with a listing, a small upload and download, active mode,
/// and a long transfer that shows whether the control connection outlives it. Each step has its own file
/// (DataChannels.Passive.cs, .UploadDownload.cs, .Active.cs, .LongTransfer.cs); this one holds the transfer they share.
/// </summary>
internal sealed partial class DataChannels(DoctorSession session)
{
    /// <summary>Opens a data connection by the first passive method that worked, to the address that worked.</summary>
    private Func<CancellationToken, Task<Socket>>? _open;

    public bool CanOpen => _open is not null;

    /// <summary>Whether the last data connection's TLS resumed the control connection's session; null without TLS.</summary>
    private string? DataTlsNote { get; set; }

    /// <summary><see cref="DataTlsNote"/> to end a step's line with.</summary>
    private string DataTlsSuffix => DataTlsNote is null ? string.Empty : "; " + DataTlsNote;

    /// <summary>Whether the last data connection's TLS is known to have started a new session rather than resume.</summary>
    private bool NewTlsSession { get; set; }

    /// <summary>Whether the control connection had no session that can be resumed when the last data connection was opened.</summary>
    private bool NothingToResume { get; set; }

    /// <summary>Why the last data connection did not offer the control connection's TLS session; null when it did.</summary>
    private string? NotOfferedBecause { get; set; }

    private ControlClient Control => session.Control;

    private TimeSpan Timeout => session.Options.StepTimeout;

    private async Task<TransferResult> PassiveTransferAsync(string command, byte[]? upload, int trickleSeconds, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = await _open!(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
        {
            return TransferResult.Failed($"the data connection could not be opened: {DataSockets.Explain(error)}", refused: false);
        }

        return await TransferAsync(Task.FromResult(socket), command, upload, trickleSeconds, patience: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One transfer: the command, its preliminary reply, the data connection (TLS after PROT P), the final reply.
    /// Uploads of <paramref name="trickleSeconds"/> send the payload in equal parts, one per second.
    /// </summary>
    private async Task<TransferResult> TransferAsync(Task<Socket> connection, string command, byte[]? upload, int trickleSeconds, TimeSpan? patience, CancellationToken cancellationToken)
    {
        ServerReply preliminary;
        DataTlsNote = null;
        NewTlsSession = false;
        NothingToResume = false;
        try
        {
            preliminary = await Control.SendAsync(command, cancellationToken, patience).ConfigureAwait(false);
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
        {
            Abandon(connection);
            return TransferResult.LostControl(error);
        }

        if (preliminary.Code is not (125 or 150))
        {
            Abandon(connection);
            return TransferResult.Failed(ControlClient.Describe(preliminary), refused: preliminary.Code is 450 or 452 or 532 or 550 or 553);
        }

        byte[] received = [];
        string? dataProblem = null;
        var stalled = false;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(Timeout + TimeSpan.FromSeconds(trickleSeconds));
            await using var stream = await DataStreamAsync(await connection.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false), limit.Token).ConfigureAwait(false);
            if (upload is null)
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, limit.Token).ConfigureAwait(false);
                received = copy.ToArray();
            }
            else
            {
                await SendAsync(stream, upload, trickleSeconds, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error) || error is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            dataProblem = $"the data connection failed: {DataSockets.Explain(error)}";
            stalled = error is OperationCanceledException || DataSockets.IsTimeout(error);
        }

        try
        {
            var final = await Control.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            return final.Code is 226 or 250 && dataProblem is null
                ? new TransferResult(true, ControlClient.Describe(final), received, null, false)
                : TransferResult.Failed(dataProblem ?? ControlClient.Describe(final), refused: final.Code is 452 or 532 or 550 or 552 or 553) with { Stalled = stalled };
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
        {
            // A transfer whose data never arrived leaves the server waiting, so its final reply does not come either.
            return TransferResult.LostControl(error) with { Stalled = stalled || DataSockets.IsTimeout(error) };
        }
    }

    private async Task<Stream> DataStreamAsync(Socket socket, CancellationToken cancellationToken)
    {
        if (session.DataTls is not { } options || Control.Tls is not { } control)
        {
            return new NetworkStream(socket, ownsSocket: true);
        }

        NotOfferedBecause = session.Options.OfferTlsSession ? null : "offering it was turned off for this run";
        if (ResumingTlsStream.CanResume(control))
        {
            var offer = NotOfferedBecause is null ? control : null;
            var resuming = await ResumingTlsStream.ConnectAsync(socket, offer, options.TargetHost!, cancellationToken).ConfigureAwait(false);
            NewTlsSession = !resuming.Resumed;
            NothingToResume = offer is not null && !resuming.OfferedResumable;
            DataTlsNote = resuming.Resumed ? "data TLS resumed the control session" : "data TLS: new session";
            return resuming;
        }

        // Where libssl cannot be reached, SslStream resumes only from its own cache, and does not say whether it did.
        NotOfferedBecause ??= "libssl cannot be reached here, so only .NET's own session cache could offer it";
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            DataTlsNote = "data TLS: whether it resumed cannot be seen here";
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task SendAsync(Stream stream, byte[] payload, int trickleSeconds, CancellationToken cancellationToken)
    {
        if (trickleSeconds == 0)
        {
            await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var part = payload.Length / trickleSeconds;
            for (var second = 0; second < trickleSeconds; second++)
            {
                await stream.WriteAsync(payload.AsMemory(second * part, part), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }

        if (stream is ResumingTlsStream resuming)
        {
            await resuming.ShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (stream is SslStream tls)
        {
            await tls.ShutdownAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes a data connection that will not be used (the command was refused).</summary>
    private static void Abandon(Task<Socket> connection)
    {
        if (connection.IsCompletedSuccessfully)
        {
            connection.Result.Dispose();
        }
    }

    private async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Control.SendAsync("DELE " + name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
        {
            // The step that follows reports a dead control connection.
        }
    }

    private static string DoctorFileName() => $".gatehouse-doctor-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.bin";

    /// <param name="Stalled">It failed by time-out, not by an error or a refusal: what a path that loses large packets does.</param>
    private sealed record TransferResult(bool Succeeded, string Detail, byte[] Received, Exception? ControlLost, bool Refused, bool Stalled = false)
    {
        public static TransferResult Failed(string detail, bool refused) => new(false, detail, [], null, refused);

        public static TransferResult LostControl(Exception error) => new(false, $"the control connection failed: {DataSockets.Explain(error)}", [], error, false);
    }
}
