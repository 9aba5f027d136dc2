using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Tls;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>
/// Runs a session's transfers, at most one at a time and in the background so that ABOR and STAT are answered while
/// one runs: opens the data connection, sends 150, secures it under PROT P, runs the handler's body, maps every failure
/// to its reply, records the transfer (log line, xferlog, <see cref="FtpServerContext.TransferFinished"/>) and sends
/// the final reply.
/// </summary>
/// <param name="running">Called with true as a transfer starts and false once it has ended (the session's deadlines).</param>
internal sealed class TransferRunner(
    FtpServerContext server, DataConnector connector, SessionState state, string sessionId, IPAddress client, ILogger logger,
    Func<FtpReply, ValueTask> reply, Action<bool> running)
{
    private TransferRun? _current;

    public bool IsRunning => _current is { Task.IsCompleted: false };

    public string? Status => _current is { Task.IsCompleted: false } run ? $"{run.Description}: {run.Progress.Bytes} bytes so far" : null;

    /// <summary>The running transfer as the admin API shows it; null when none runs.</summary>
    public TransferSnapshot? Snapshot => _current is { Task.IsCompleted: false } run
        ? new TransferSnapshot(run.Description, run.Direction, run.Progress.Bytes, run.Size, run.StartedAt)
        : null;

    public FtpReply Start(TransferRequest request, CancellationToken lifetime)
    {
        var counted = request.Record is { } record ? server.Metrics.TransferBytes(record.Direction, state.Account?.Name) : null;
        var run = new TransferRun(
            CancellationTokenSource.CreateLinkedTokenSource(lifetime), request.Record?.Path ?? request.OpeningText, request.Record?.Direction, request.Record?.Size,
            server.Time.GetUtcNow(), new TransferProgress(counted));
        running(true);
        _current = run;
        // Runs on the command loop until it first has to wait (for the data connection, the disk or the network),
        // so a small transfer goes from command to 226 without a hop to another thread. The task is in place before
        // the transfer starts, so a shutdown or STAT arriving meanwhile sees a transfer in progress.
        var start = new Task<Task>(() => RunAsync(request, run));
        run.Task = start.Unwrap();
        start.RunSynchronously(TaskScheduler.Default);
        return FtpReply.Deferred;
    }

    /// <returns>
    /// True when a transfer was running and has now been stopped (its 426 already sent); when none was, the endpoint
    /// prepared for the next one is given back.
    /// </returns>
    public async Task<bool> AbortAsync()
    {
        var run = _current;
        if (run is null || run.Task.IsCompleted)
        {
            await connector.ClearAsync().ConfigureAwait(false);
            return false;
        }

        run.Aborted = true;
        try
        {
            await run.Cancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The transfer finished in the meantime.
        }

        if (run.Data is { } data)
        {
            await data.DisposeAsync().ConfigureAwait(false);
        }

        await run.Task.ConfigureAwait(false);
        return true;
    }

    /// <summary>Waits for the running transfer, if any, to end; false when it is still running after <paramref name="limit"/>.</summary>
    public async Task<bool> WaitAsync(TimeSpan limit = default)
    {
        if (_current is not { } run)
        {
            return true;
        }

        try
        {
            await (limit == default ? run.Task : run.Task.WaitAsync(limit)).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task RunAsync(TransferRequest request, TransferRun run)
    {
        var started = Stopwatch.GetTimestamp();
        var token = run.Cancellation.Token;
        FtpReply? final;
        string? failure = null;
        var rejected = false;
        var quotaExceeded = false;
        var opened = false;
        var interrupted = false;
        string? kept = null;
        PassiveReservation? reservation = null;
        CancellationTokenRegistration onRace = default;
        try
        {
            var connection = await connector.ConnectAsync(token).ConfigureAwait(false);
            reservation = connection.Reservation;
            onRace = (reservation?.Raced ?? CancellationToken.None).Register(StopRaced, run);
            Stream data = (Stream?)connection.EarlyTls ?? new NetworkStream(connection.Socket, ownsSocket: true);
            run.Data = data;
            if (DataChannelPolicy.TlsBeforeCommandRefusal(connection.EarlyTls is not null, state.Protection) is { } refusal)
            {
                throw new DataChannelException(refusal);
            }

            await reply(new FtpReply(150, request.OpeningText)).ConfigureAwait(false);
            opened = true;
            Func<CancellationToken, Task>? raceWindow = null;
            if (state.Protection == DataProtection.Private)
            {
                var upload = request.Record?.Direction == TransferDirection.Incoming;
                data = await connector.SecureAsync(connection, data, upload, token).ConfigureAwait(false);
                run.Data = data;
                if (connection.ResumedControlSession)
                {
                    // Proven to be the client's: a later connection at its address cannot have its data.
                    await onRace.DisposeAsync().ConfigureAwait(false);
                }

                raceWindow = connector.RaceWindow(connection, request.Record?.Direction);
                if (data is TlsUploadStream uploadStream)
                {
                    // An upload waits before it is stored, not only before its reply.
                    uploadStream.BeforeEnd = raceWindow;
                    raceWindow = null;
                }

                if (upload)
                {
                    TcpQuickAck.Enable(connection.Socket);
                }
            }

            final = await request.Body(data, run.Progress, token).ConfigureAwait(false);
            if (raceWindow is not null)
            {
                await raceWindow(token).ConfigureAwait(false);
            }

            if (data is TlsUploadStream { EndedWithoutCloseNotify: true })
            {
                Log.UploadWithoutCloseNotify(logger, request.Record!.Path, run.Progress.Bytes);
            }

            await DataConnector.CloseQuietlyAsync(data).ConfigureAwait(false);
            if (run.Raced)
            {
                throw new OperationCanceledException(token);
            }
        }
        catch (Exception ex) when (run.Raced)
        {
            failure = ex.Message;
            final = opened
                ? new FtpReply(426, "A second connection from your address reached the data port during this transfer, so something else there may have taken or supplied its data; treat the transfer as failed. Tell your administrator if this repeats.")
                : new FtpReply(425, PassiveDataConnection.RacedBeforeTransfer);
        }
        catch (UploadTruncatedException ex)
        {
            Log.UploadTruncated(logger, request.Record!.Path, run.Progress.Bytes);
            failure = ex.Message;
            interrupted = true;
            final = new FtpReply(426, "The data connection ended without TLS close_notify, so the upload may be truncated; it was not stored (any previous version is kept). Send it again.");
        }
        catch (DataChannelException ex)
        {
            final = new FtpReply(425, ex.Message);
        }
        catch (UploadRejectedException ex)
        {
            // The pre-upload check logged it, quarantined the file and raised upload-rejected.
            rejected = true;
            failure = ex.Message;
            final = new FtpReply(550, $"Upload refused by the server's check: {ex.Message}");
        }
        catch (OperationCanceledException) when (run.Aborted)
        {
            final = new FtpReply(426, "Transfer aborted; data connection closed.");
            interrupted = true;
        }
        catch (OperationCanceledException)
        {
            final = null;
            interrupted = true;
        }
        catch (AuthenticationException ex)
        {
            Log.TlsHandshakeFailed(logger, "data", ex.Message);
            final = new FtpReply(425, "TLS negotiation on the data connection failed; check your client's TLS settings.");
        }
        catch (Exception ex) when (StorageConditions.Classify(ex) is { } storage)
        {
            Log.StorageFailure(logger, request.Record?.Direction == TransferDirection.Incoming ? "upload" : "download", request.Record?.Path ?? string.Empty, storage);
            final = StorageReplies.AfterOpening(storage);
            quotaExceeded = storage.Error == FileSystemError.QuotaExceeded;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            failure = ex.Message;
            interrupted = true;
            final = run.Aborted
                ? new FtpReply(426, "Transfer aborted; data connection closed.")
                : new FtpReply(426, "Data connection lost; the transfer is incomplete.");
        }
        catch (Exception ex)
        {
            // A bug must not leave the client waiting for a reply that never comes.
            Log.TransferFailed(logger, request.Record?.Path ?? "a listing", ex);
            failure = ex.Message;
            final = new FtpReply(451, "The transfer hit an internal error; it has been logged and the session goes on.");
        }
        finally
        {
            await onRace.DisposeAsync().ConfigureAwait(false);
            if (run.Data is { } data)
            {
                await data.DisposeAsync().ConfigureAwait(false);
            }

            if (reservation is not null)
            {
                await reservation.DisposeAsync().ConfigureAwait(false);
            }

            if (interrupted && request.Interrupted is { } keep)
            {
                kept = await KeepInterruptedAsync(keep, request.Record?.Path ?? request.OpeningText).ConfigureAwait(false);
            }

            if (request.Resource is not null)
            {
                await request.Resource.DisposeAsync().ConfigureAwait(false);
            }

            request.Digest?.Dispose();

            run.Cancellation.Dispose();
        }

        if (kept is not null && final is not null)
        {
            final = new FtpReply(426, kept);
        }

        if (request.Record is { } record)
        {
            var finished = Record(record, run.Progress.Bytes, Stopwatch.GetElapsedTime(started), final, failure);
            var facts = new EventFacts(finished.Path, finished.Bytes)
            {
                DurationMilliseconds = (long)finished.Duration.TotalMilliseconds,
                Reason = finished.Outcome == TransferOutcome.Complete ? null : finished.Failure ?? finished.Reply?.Lines[0] ?? "the session ended during the transfer",
                Sha256 = finished.Outcome == TransferOutcome.Complete ? request.Digest?.Sha256 : null,
            };
            if (!rejected && (kept is not null ? EventKind.UploadPartialKept : EventOf(finished)) is { } kind)
            {
                // Queued before the final reply: a client told 226 can count on the event being delivered.
                await server.RaiseAsync(kind, facts, sessionId, state, client).ConfigureAwait(false);
            }

            if (quotaExceeded)
            {
                await server.RaiseAsync(EventKind.QuotaExceeded, facts with { Sha256 = null }, sessionId, state, client).ConfigureAwait(false);
            }
        }

        running(false);
        if (final is not null)
        {
            try
            {
                await reply(final).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The control connection is gone; the session loop notices on its own.
            }
        }
    }

    /// <summary>A failure to keep what the transfer left is logged; the resource is then disposed as after any failure.</summary>
    private async Task<string?> KeepInterruptedAsync(Func<ValueTask<string?>> keep, string path)
    {
        try
        {
            return await keep().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileSystemException or IOException or UnauthorizedAccessException)
        {
            Log.PartialUploadNotKept(logger, path, ex.Message);
            return null;
        }
    }

    private static void StopRaced(object? state)
    {
        var run = (TransferRun)state!;
        run.Raced = true;
        try
        {
            run.Cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The transfer ended meanwhile.
        }
    }

    private static EventKind? EventOf(TransferFinished transfer) => (transfer.Direction, transfer.Outcome) switch
    {
        (TransferDirection.Incoming, TransferOutcome.Complete) => EventKind.Upload,
        (TransferDirection.Incoming, _) => EventKind.UploadFailed,
        (TransferDirection.Outgoing, TransferOutcome.Complete) => EventKind.Download,
        _ => null,
    };

    private TransferFinished Record(FileTransferRecord record, long bytes, TimeSpan elapsed, FtpReply? final, string? failure)
    {
        var outcome = final switch
        {
            null => TransferOutcome.Interrupted,
            { Code: >= 200 and < 300 } => TransferOutcome.Complete,
            _ => TransferOutcome.Failed,
        };
        Log.Transfer(logger, record.Direction == TransferDirection.Outgoing ? "Download" : "Upload", record.Path, bytes, (long)elapsed.TotalMilliseconds,
            outcome switch
            {
                TransferOutcome.Complete => "complete",
                TransferOutcome.Interrupted => "interrupted",
                _ => $"failed: {final!.Code} {final.Lines[0]}{(failure is null ? string.Empty : $" ({failure})")}",
            });
        var user = state.Account?.Name;
        if (server.TransferLog.Write(TransferLog.FormatLine(server.Time.GetUtcNow(), elapsed, client, bytes, record.Path, record.Ascii,
            record.Direction, user ?? "-", outcome == TransferOutcome.Complete)) is { } problem)
        {
            Log.TransferLogFailed(logger, problem);
        }

        var finished = new TransferFinished(sessionId, user, client, record.Path, record.Direction, record.Ascii, bytes, elapsed, outcome, final, failure);
        server.OnTransferFinished(finished);
        return finished;
    }
}
