using System.Collections.Concurrent;
using System.Net;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Access;

/// <summary>
/// Every FTP login, successful or not, in the audit trail: who ("ftp:NAME" as the client typed it), from which
/// address, the outcome and the reason the log gives (never the password). A login never waits for it: the record is
/// queued in memory and written in the background, one INSERT each (<see cref="AuditTrail"/>). While the account
/// store is unreachable nothing is attempted; the records wait, in order, for the outage monitor to write them back
/// with the time of the login (<see cref="IStoreBacklog"/>). At most <see cref="Capacity"/> wait: a flood of failed
/// logins during a long outage cannot exhaust memory; what is dropped is counted and logged. A graceful stop writes
/// what still waits, after the FTP server's last session has ended (as a hosted service started before it); only a
/// crash, or a stop while the store is away (then logged with the number), loses records.
/// </summary>
public sealed partial class LoginAudit(AuditTrail trail, StoreReachability reachability, TimeProvider time, ILogger logger) : IStoreBacklog, IHostedService
{
    public const int Capacity = 10_000;

    private readonly ConcurrentQueue<Pending> _pending = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private int _count;
    private int _writing;
    private long _dropped;

    public string What => "login audit records";

    /// <summary>Queues the record and returns at once.</summary>
    /// <param name="outcome">"ftp.login" (success), "ftp.login.failed" or "ftp.login.refused".</param>
    public void Record(string outcome, string user, IPAddress client, string detail)
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            if (Interlocked.Increment(ref _dropped) % 1000 == 1)
            {
                LogDropped(logger, Interlocked.Read(ref _dropped), Capacity);
            }

            return;
        }

        _pending.Enqueue(new Pending(time.GetUtcNow(), outcome, user, client.ToString(), detail));
        StartWriting();
    }

    /// <summary>Writes what waits, in order; throws, keeping the rest, when the store is away again.</summary>
    public async Task<int> WriteBackAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var written = 0;
            while (_pending.TryPeek(out var record))
            {
                try
                {
                    await trail.RecordAsync(new AuditActor($"ftp:{record.User}", record.Client), record.Outcome, record.User, null, record.Detail, record.At, cancellationToken)
                        .ConfigureAwait(false);
                    written++;
                }
                catch (Exception error) when (!StoreReachability.IsOutage(error) && error is not OperationCanceledException)
                {
                    // Not an outage: the same record would fail again, so it is logged and not kept.
                    LogNotWritten(logger, record.Outcome, record.User, error.Message);
                }

                _pending.TryDequeue(out _);
                Interlocked.Decrement(ref _count);
            }

            return written;
        }
        finally
        {
            _writer.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>At a graceful stop: waits for the background writer and writes what is still queued.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        if (!reachability.IsReachable)
        {
            LogLostAtStop(logger, Volatile.Read(ref _count), "the account store is unreachable");
            return;
        }

        try
        {
            await WriteBackAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (StoreReachability.IsOutage(error) || error is OperationCanceledException)
        {
            LogLostAtStop(logger, Volatile.Read(ref _count), error.Message);
        }
    }

    private void StartWriting()
    {
        if (!reachability.IsReachable || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await WriteBackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception error) when (StoreReachability.IsOutage(error))
            {
                Logging.Log.StoreWriteDeferred(logger, "record logins in the audit trail", error.Message);
            }
            finally
            {
                Volatile.Write(ref _writing, 0);
            }

            // A record queued after the loop's last look, before the flag was cleared.
            if (!_pending.IsEmpty)
            {
                StartWriting();
            }
        });
    }

    private sealed record Pending(DateTimeOffset At, string Outcome, string User, string Client, string Detail);

    [LoggerMessage(265, LogLevel.Warning, "{Dropped} FTP login audit record(s) dropped so far: {Capacity} are already waiting for the account store")]
    private static partial void LogDropped(ILogger logger, long dropped, int capacity);

    [LoggerMessage(270, LogLevel.Error, "{Count} FTP login audit record(s) not written at stop: {Reason}")]
    private static partial void LogLostAtStop(ILogger logger, int count, string reason);

    [LoggerMessage(266, LogLevel.Error, "Could not record {Outcome} of '{User}' in the audit trail: {Reason}")]
    private static partial void LogNotWritten(ILogger logger, string outcome, string user, string reason);
}
