using System.Collections.Concurrent;
using System.Threading.Channels;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Where sessions report what happened: an event that matches rules is queued before the code that saw it goes on (the
/// 226 of an upload waits for it), one delivery per matching rule. No matching rule, no write. With a
/// <paramref name="journal"/> (the SQLite store), queued means appended to this node's <see cref="EventJournal"/>,
/// which the dispatcher moves into the store; without one (PostgreSQL, whose store outlives a node's disk), it means
/// committed in the store, and while the store is unreachable events are kept in memory and queued when it is back
/// (<see cref="IStoreBacklog"/>): lost only if this node stops before then.
/// </summary>
public sealed class EventRecorder(IEventStore store, EventRuleSet rules, string node, TimeProvider time, ILogger logger, GatehouseMetrics metrics, EventJournal? journal = null)
    : IStoreBacklog
{
    private readonly ConcurrentQueue<(ServerEvent Event, List<string> Rules)> _unqueued = new();
    private readonly Channel<bool> _queued = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _queuedCount;

    public EventRuleSet Rules => rules;

    public string Node => node;

    public string What => "events";

    /// <summary>Events queued on this node since it started: the dispatcher watches it to see a burst pause.</summary>
    public long QueuedCount => Interlocked.Read(ref _queuedCount);

    /// <summary>Events kept in memory while the store is unreachable, or in the journal until they are moved into it.</summary>
    public int Held => _unqueued.Count + (journal?.Held ?? 0);

    /// <summary>Queues the events kept while the store was away, in the order they happened; throws, keeping the rest, when it still cannot.</summary>
    public async Task<int> WriteBackAsync(CancellationToken cancellationToken)
    {
        var written = await MoveJournalAsync(cancellationToken).ConfigureAwait(false);
        while (_unqueued.TryPeek(out var kept))
        {
            await store.EnqueueAsync(kept.Event, kept.Rules, cancellationToken).ConfigureAwait(false);
            _unqueued.TryDequeue(out _);
            written++;
        }

        if (written > 0)
        {
            Signal();
        }

        return written;
    }

    /// <summary>Moves what the journal holds into the store's queue, if this node has one.</summary>
    public Task<int> MoveJournalAsync(CancellationToken cancellationToken) =>
        journal is null ? Task.FromResult(0) : journal.MoveAsync(store, cancellationToken);

    public async ValueTask RaiseAsync(EventKind kind, EventFacts facts)
    {
        if (!rules.Watches(kind))
        {
            return;
        }

        var happened = facts.ToEvent(kind, node, time.GetUtcNow());
        await QueueAsync(happened, [.. rules.Matching(kind, happened).Select(rule => rule.Name)]).ConfigureAwait(false);
    }

    /// <summary>An address banned: not a session's event, since the ban may come from a connection that never logged in.</summary>
    public ValueTask RaiseBanAsync(BanRecord ban) =>
        RaiseAsync(EventKind.Ban, new EventFacts { Client = ban.Address, Reason = ban.Reason, Until = ban.BannedUntil });

    /// <summary>Queues the event for <paramref name="rule"/> alone, if it matches (scheduled rules).</summary>
    /// <returns>Whether it matched and was queued.</returns>
    public async Task<bool> QueueForAsync(EventRule rule, EventKind kind, EventFacts facts)
    {
        var happened = facts.ToEvent(kind, node, time.GetUtcNow());
        return rules.Matching(kind, happened).Any(matching => matching.Name == rule.Name)
            && await QueueAsync(happened, [rule.Name]).ConfigureAwait(false);
    }

    private async Task<bool> QueueAsync(ServerEvent happened, List<string> matching)
    {
        if (matching.Count == 0)
        {
            return false;
        }

        if (journal is not null)
        {
            try
            {
                journal.Append(happened, matching);
                EventLog.Queued(logger, happened.Kind, happened.Path, string.Join(", ", matching));
                Signal();
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                EventLog.JournalFailed(logger, happened.Kind, happened.Path, ex.Message);
            }
        }

        try
        {
            // Not the session's token: an event seen just before the client left is still queued.
            await store.EnqueueAsync(happened, matching, CancellationToken.None).ConfigureAwait(false);
            EventLog.Queued(logger, happened.Kind, happened.Path, string.Join(", ", matching));
            Signal();
            return true;
        }
        catch (Exception ex) when (StoreReachability.IsOutage(ex))
        {
            _unqueued.Enqueue((happened, matching));
            Log.StoreWriteDeferred(logger, $"queue event {happened.Kind} for rule(s) {string.Join(", ", matching)}", ex.Message);
            return true;
        }
        catch (Exception ex)
        {
            EventLog.NotQueued(logger, happened.Kind, happened.Path, string.Join(", ", matching), ex);
            metrics.EventNotQueued();
            return false;
        }
    }

    private void Signal()
    {
        Interlocked.Increment(ref _queuedCount);
        _queued.Writer.TryWrite(true);
    }

    /// <summary>Waits until something is queued on this node or <paramref name="limit"/> passes.</summary>
    /// <returns>True when something was queued, false when the time passed.</returns>
    public async Task<bool> WaitForQueuedAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await _queued.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed: look at the queue anyway, for events queued by other nodes and retries now due.
            return false;
        }
    }
}
