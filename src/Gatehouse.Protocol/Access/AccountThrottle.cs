using System.Data.Common;
using System.Net;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Networks;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Access;

/// <summary>One PASS in its account's throttle: how long it waits before its answer, or whether it is refused.</summary>
public sealed record AccountAttempt(string Id, string Account, string Address, TimeSpan Wait, bool Refused, bool Recorded);

/// <summary>
/// Applies <see cref="AccountThrottlePolicy"/> with the failures the account store holds, so that every node of a
/// cluster counts the failures of all. An attempt that has to wait is recorded as a failure at its answer time before
/// it waits, so that parallel attempts (on this node, or on another that reads the store after) queue behind it; a
/// success takes the record back. While the store is unreachable, the failures this node has not written yet decide
/// (they are written, in order, when it is back: <see cref="IStoreBacklog"/>); when it cannot be read for another
/// reason, the attempt waits the longest delay (fail closed).
/// </summary>
public sealed class AccountThrottle(IAccountFailureStore store, AccountThrottlePolicy policy, NetworkList exempt, TimeProvider time) : IStoreBacklog
{
    private static readonly TimeSpan CleanupInterval = TimeSpan.FromMinutes(1);

    /// <summary>A spray during a long outage must not grow the backlog without bound: the oldest entries go first.</summary>
    private const int MaxBacklog = 10_000;

    /// <summary>
    /// Reading a name's queue and taking a place in it is one step on this node. The locks are shared by names with the
    /// same hash, so a spray against one name does not queue the logins of most others.
    /// </summary>
    private readonly SemaphoreSlim[] _queues = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>Refused attempts come back as fast as the attacker's connections allow: one line a minute per name.</summary>
    private readonly LogSampler<string> _refusals = new(time, TimeSpan.FromMinutes(1));

    /// <summary>Failures and forgivenesses the store could not take, in the order they happened.</summary>
    private readonly LinkedList<Deferred> _backlog = new();
    private long _nextCleanupTicks;

    public string What => "failed logins and their forgiveness";

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
            var recent = await RecentAsync(attempt, now - policy.Window, cancellationToken).ConfigureAwait(false);
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

            await WriteAsync("record a failed login", new Deferred(Forgive: false, attempt.Id, attempt.Account, attempt.Address, decision.AnswerAt), logger).ConfigureAwait(false);
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
        policy.Enabled ? WriteAsync("forgive the failures of a login that succeeded", new Deferred(Forgive: true, attempt.Id, attempt.Account, attempt.Address, time.GetUtcNow()), logger) : Task.CompletedTask;

    public async Task FailedAsync(AccountAttempt attempt, ILogger logger)
    {
        if (!policy.Enabled)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (!attempt.Recorded)
        {
            await WriteAsync("record a failed login", new Deferred(Forgive: false, attempt.Id, attempt.Account, attempt.Address, now), logger).ConfigureAwait(false);
        }

        var due = Interlocked.Read(ref _nextCleanupTicks);
        if (now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextCleanupTicks, (now + CleanupInterval).UtcTicks, due) == due)
        {
            try
            {
                await store.ForgetAsync(now - policy.Window, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DbException ex) when (StoreReachability.IsOutage(ex))
            {
                // Old failures are deleted at the next cleanup after the store is back; nothing to keep.
            }
            catch (DbException ex)
            {
                Log.AccountThrottleStoreFailed(logger, "delete old failed logins", ex.Message);
            }
        }
    }

    /// <summary>Writes what the store missed, oldest first, until the store is away again.</summary>
    public async Task<int> WriteBackAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        while (true)
        {
            Deferred next;
            lock (_backlog)
            {
                if (_backlog.First is not { } first)
                {
                    return written;
                }

                next = first.Value;
            }

            try
            {
                await ApplyAsync(next, cancellationToken).ConfigureAwait(false);
                written++;
            }
            catch (DbException ex) when (StoreReachability.IsOutage(ex))
            {
                return written;
            }
            catch (DbException)
            {
                // The store answered and refused it (a record a lost reply had already written): nothing left to write.
            }

            lock (_backlog)
            {
                _backlog.Remove(next);
            }
        }
    }

    private async Task<AccountFailures> RecentAsync(AccountAttempt attempt, DateTimeOffset since, CancellationToken cancellationToken)
    {
        try
        {
            return await store.RecentAsync(attempt.Account, attempt.Address, since, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (StoreReachability.IsOutage(ex))
        {
            // The store is away: this node's own failures since then decide, as they would in the store.
            lock (_backlog)
            {
                var failures = _backlog.Where(entry => !entry.Forgive && entry.Account == attempt.Account && entry.At >= since).ToList();
                return new AccountFailures(
                    failures.Count,
                    failures.Count(entry => entry.Address == attempt.Address),
                    failures.Select(entry => entry.Address).Distinct().Count(),
                    failures.Count == 0 ? null : failures.Max(entry => entry.At));
            }
        }
    }

    private async Task WriteAsync(string operation, Deferred entry, ILogger logger)
    {
        try
        {
            await ApplyAsync(entry, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbException ex) when (StoreReachability.IsOutage(ex))
        {
            Defer(entry);
            Log.StoreWriteDeferred(logger, operation, ex.Message);
        }
        catch (DbException ex)
        {
            Log.AccountThrottleStoreFailed(logger, operation, ex.Message);
        }
    }

    private Task ApplyAsync(Deferred entry, CancellationToken cancellationToken) => entry.Forgive
        ? store.ForgiveAsync(entry.Id, entry.Account, entry.Address, cancellationToken)
        : store.RecordAsync(entry.Id, entry.Account, entry.Address, entry.At, cancellationToken);

    private void Defer(Deferred entry)
    {
        lock (_backlog)
        {
            if (entry.Forgive)
            {
                // What the forgiveness deletes in the store need not be written first.
                var node = _backlog.First;
                while (node is not null)
                {
                    var next = node.Next;
                    if (!node.Value.Forgive && (node.Value.Id == entry.Id || (node.Value.Account == entry.Account && node.Value.Address == entry.Address)))
                    {
                        _backlog.Remove(node);
                    }

                    node = next;
                }
            }

            _backlog.AddLast(entry);
            if (_backlog.Count > MaxBacklog)
            {
                _backlog.RemoveFirst();
            }
        }
    }

    /// <summary>A failed login to record (at its answer time), or a success that forgives its address's failures.</summary>
    private sealed record Deferred(bool Forgive, string Id, string Account, string Address, DateTimeOffset At);
}
