using Cronos;
using Gatehouse.Accounts.Events;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Rules on schedule: at each occurrence of a rule's cron expression (UTC), the one node that claims the occurrence in
/// the store queues the rule's events. A rule with --path queues one per file of its --user that matches the glob and
/// the other conditions (--older-than-days, sizes), so file actions and commands apply to each; without --path, one
/// event with no file. Occurrences that passed while no node ran are not made up.
/// </summary>
public sealed class EventScheduler(IEventStore store, EventRecorder recorder, Func<string, CancellationToken, Task<IFileSystem?>> fileSystems, TimeProvider time, ILogger logger)
{
    /// <summary>The most files one occurrence queues events for; a larger tree is taken in later occurrences.</summary>
    public const int MaxFilesPerRun = 10_000;

    private const int MaxDepth = 32;
    private readonly Dictionary<string, (string Cron, DateTimeOffset? Next)> _next = new(StringComparer.Ordinal);

    public static bool TryParse(string? cron, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CronExpression? expression)
    {
        expression = null;
        // Five fields as crontab writes them, or six with seconds first.
        var format = cron?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        return cron is not null && CronExpression.TryParse(cron, format, out expression);
    }

    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var rule in recorder.Rules.All.Where(rule => rule.Enabled && rule.On == EventKind.Schedule))
        {
            if (!TryParse(rule.Cron, out var cron))
            {
                continue;
            }

            if (!_next.TryGetValue(rule.Name, out var entry) || entry.Cron != rule.Cron)
            {
                entry = (rule.Cron!, cron.GetNextOccurrence(now, TimeZoneInfo.Utc));
            }

            if (entry.Next is { } due && due <= now)
            {
                if (await store.ClaimOccurrenceAsync(rule.Name, due, recorder.Node, cancellationToken).ConfigureAwait(false))
                {
                    EventLog.ScheduleFired(logger, rule.Name, due, await FireAsync(rule, due, cancellationToken).ConfigureAwait(false));
                }

                entry = (entry.Cron, cron.GetNextOccurrence(now, TimeZoneInfo.Utc));
            }

            _next[rule.Name] = entry;
        }
    }

    private async Task<int> FireAsync(EventRule rule, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        var facts = new EventFacts { User = rule.Conditions.User, Reason = $"schedule {rule.Cron} at {occurrence:u}" };
        if (rule.Conditions.Path is not { } glob)
        {
            return await recorder.QueueForAsync(rule, EventKind.Schedule, facts).ConfigureAwait(false) ? 1 : 0;
        }

        if (rule.Conditions.User is not { } user || await fileSystems(user, cancellationToken).ConfigureAwait(false) is not { } files)
        {
            EventLog.ScheduleFailed(logger, rule.Name, rule.Conditions.User ?? "(none)", "the rule's --user does not exist");
            return 0;
        }

        var queued = 0;
        var seen = 0;
        try
        {
            await foreach (var (path, entry) in WalkAsync(files, Start(glob), glob.Contains("**", StringComparison.Ordinal) ? MaxDepth : glob.Count(c => c == '/') - Start(glob).Segments.Count(), cancellationToken).ConfigureAwait(false))
            {
                if (++seen > MaxFilesPerRun)
                {
                    break;
                }

                var file = facts with { Path = path.Value, Size = entry.Size, Modified = entry.LastModified };
                if (await recorder.QueueForAsync(rule, EventKind.Schedule, file).ConfigureAwait(false))
                {
                    queued++;
                }
            }
        }
        catch (FileSystemException ex)
        {
            EventLog.ScheduleFailed(logger, rule.Name, user, ex.Message);
        }

        return queued;
    }

    /// <summary>The folder before the glob's first wildcard: where its files can be.</summary>
    private static VirtualPath Start(string glob)
    {
        var fixedPart = glob[..(glob.IndexOfAny(['*', '?']) is var wildcard and >= 0 ? wildcard : glob.Length)];
        var folder = fixedPart[..(fixedPart.LastIndexOf('/') + 1)];
        return VirtualPath.TryResolve(VirtualPath.Root, folder.Length == 0 ? "/" : folder, out var start, out _) ? start : VirtualPath.Root;
    }

    private static async IAsyncEnumerable<(VirtualPath Path, FileSystemEntry Entry)> WalkAsync(
        IFileSystem files, VirtualPath folder, int depth, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subfolders = new List<VirtualPath>();
        foreach (var entry in await files.ListAsync(folder, cancellationToken).ConfigureAwait(false))
        {
            var path = folder.Append(entry.Name);
            if (!entry.IsDirectory)
            {
                yield return (path, entry);
            }
            else if (depth > 1)
            {
                subfolders.Add(path);
            }
        }

        foreach (var subfolder in subfolders)
        {
            await foreach (var found in WalkAsync(files, subfolder, depth - 1, cancellationToken).ConfigureAwait(false))
            {
                yield return found;
            }
        }
    }
}
