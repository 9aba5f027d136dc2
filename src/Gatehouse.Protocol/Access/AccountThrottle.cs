using System.Data.Common;
using System.Net;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Access;

/// <summary>One PASS in its account's throttle: how long it waits before its answer, or whether it is refused.</summary>
public sealed record AccountAttempt(string Id, string Account, string Address, TimeSpan Wait, bool Refused, bool Recorded);

/// <summary>
/// Applies <see cref="AccountThrottlePolicy"/> with the failures the account store holds, so that every node of a
/// cluster counts the failures of all. An attempt that has to wait is recorded as a failure at its answer time before
/// it waits, so that parallel attempts (on this node, or on another that reads the store after) queue behind it; a
/// success takes the record back. When the store cannot be read, the attempt waits the longest delay (fail closed).
/// </summary>
public sealed class AccountThrottle(IAccountFailureStore store, AccountThrottlePolicy policy, NetworkList exempt, TimeProvider time)
{
    private static readonly TimeSpan CleanupInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Reading a name's queue and taking a place in it is one step on this node. The locks are shared by names with the
    /// same hash, so a spray against one name does not queue the logins of most others.
    /// </summary>
    private readonly SemaphoreSlim[] _queues = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>Refused attempts come back as fast as the attacker's connections allow: one line a minute per name.</summary>
    private readonly LogSampler<string> _refusals = new(time, TimeSpan.FromMinutes(1));
    private long _nextCleanupTicks;

    public async Task<AccountAttempt> BeginAsync(string user, IPAddress client, ILogger logger, CancellationToken cancellationToken)
    {
        var attempt = new AccountAttempt(Guid.NewGuid().ToString("N"), AccountThrottlePolicy.Key(user), BanList.Key(client), TimeSpan.Zero, false, false);
        if (!policy.Enabled || exempt.Contains(client))
        {
            return attempt;
        }

        var queue = _queues[(uint)StringComparer.Ordinal.GetHashCode(attempt.Account) % (uint)_queues.Length];
        await queue.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var recent = await store.RecentAsync(attempt.Account, attempt.Address, now - policy.Window, cancellationToken).ConfigureAwait(false);
            var decision = policy.Decide(recent, now);
            var window = (int)policy.Window.TotalSeconds;
            if (decision.Refused)
            {
                if (_refusals.ShouldLog(attempt.Account, "queue full", out var unlogged))
                {
                    Log.AccountLoginRefused(logger, user, recent.Total, recent.Addresses, window, (long)decision.Wait.TotalSeconds, unlogged);
                }

                return attempt with { Refused = true };
            }

            if (!decision.Delayed)
            {
                return attempt;
            }

            await store.RecordAsync(attempt.Id, attempt.Account, attempt.Address, decision.AnswerAt, cancellationToken).ConfigureAwait(false);
            Log.AccountLoginHeld(logger, user, (long)decision.Wait.TotalMilliseconds, recent.Total, recent.Addresses, window);
            return attempt with { Wait = decision.Wait, Recorded = true };
        }
        catch (DbException ex)
        {
            Log.AccountThrottleStoreFailed(logger, "read the queue, so this login waits Bans:AccountMaxDelaySeconds", ex.Message);
            return attempt with { Wait = policy.MaxDelay };
        }
        finally
        {
            queue.Release();
        }
    }

    /// <summary>The password was right: the attempt, and earlier failures from its address for the account, stop counting.</summary>
    public Task SucceededAsync(AccountAttempt attempt, ILogger logger) =>
        policy.Enabled ? WriteAsync("forgive the failures of a login that succeeded", () => store.ForgiveAsync(attempt.Id, attempt.Account, attempt.Address, CancellationToken.None), logger) : Task.CompletedTask;

    public async Task FailedAsync(AccountAttempt attempt, ILogger logger)
    {
        if (!policy.Enabled)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (!attempt.Recorded)
        {
            await WriteAsync("record a failed login", () => store.RecordAsync(attempt.Id, attempt.Account, attempt.Address, now, CancellationToken.None), logger).ConfigureAwait(false);
        }

        var due = Interlocked.Read(ref _nextCleanupTicks);
        if (now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextCleanupTicks, (now + CleanupInterval).UtcTicks, due) == due)
        {
            await WriteAsync("delete old failed logins", () => store.ForgetAsync(now - policy.Window, CancellationToken.None), logger).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(string operation, Func<Task> write, ILogger logger)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            Log.AccountThrottleStoreFailed(logger, operation, ex.Message);
        }
    }
}
