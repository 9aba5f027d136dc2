using System.Globalization;
using System.Net;

namespace Gatehouse.Protocol.Logging;

/// <summary>One line of the transfer log: <see cref="Complete"/> false when the transfer failed or was aborted.</summary>
public sealed record TransferRecord(DateTimeOffset Finished, long Seconds, string Client, long Bytes, string Path, TransferDirection Direction, string User, bool Complete);

/// <summary>What to look for in the transfer log; null criteria match everything.</summary>
/// <param name="Path">A substring of the path (the log writes white space in paths as '_').</param>
public sealed record TransferQuery(string? User, string? Path, DateTimeOffset? From, DateTimeOffset? To, bool? Complete, int Limit);

/// <summary>
/// Reads back this node's transfer log (<see cref="TransferLog"/>, in the server's local time as xferlog has it) and
/// finds transfers by user, path, time and outcome; newest first. Lines that are not xferlog lines are skipped.
/// </summary>
public static class TransferHistory
{
    public static IReadOnlyList<TransferRecord> Search(string logPath, TransferQuery query, Func<string, bool>? userVisible = null)
    {
        var newest = new Queue<TransferRecord>();
        foreach (var record in Read(logPath))
        {
            if (!Matches(record, query) || userVisible is not null && !userVisible(record.User))
            {
                continue;
            }

            newest.Enqueue(record);
            if (newest.Count > query.Limit)
            {
                newest.Dequeue();
            }
        }

        return [.. newest.Reverse()];
    }

    /// <summary>The bytes moved each way by the transfers that finished at or after <paramref name="since"/>, complete or not.</summary>
    public static (long Uploaded, long Downloaded) VolumeSince(string logPath, DateTimeOffset since)
    {
        var (uploaded, downloaded) = (0L, 0L);
        foreach (var record in Read(logPath).Where(record => record.Finished >= since))
        {
            if (record.Direction == TransferDirection.Incoming)
            {
                uploaded += record.Bytes;
            }
            else
            {
                downloaded += record.Bytes;
            }
        }

        return (uploaded, downloaded);
    }

    private static IEnumerable<TransferRecord> Read(string logPath)
    {
        if (!File.Exists(logPath))
        {
            yield break;
        }

        using var reader = new StreamReader(new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        while (reader.ReadLine() is { } line)
        {
            if (TryParse(line, out var record))
            {
                yield return record;
            }
        }
    }

    public static bool TryParse(string line, out TransferRecord record)
    {
        record = null!;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 18
            || !DateTime.TryParseExact(string.Join(' ', fields[..5]), "ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var finished)
            || !long.TryParse(fields[5], CultureInfo.InvariantCulture, out var seconds)
            || !IPAddress.TryParse(fields[6], out _)
            || !long.TryParse(fields[7], CultureInfo.InvariantCulture, out var bytes)
            || fields[11] is not ("i" or "o")
            || fields[17] is not ("c" or "i"))
        {
            return false;
        }

        record = new TransferRecord(
            new DateTimeOffset(finished), seconds, fields[6], bytes, fields[8], fields[11] == "o" ? TransferDirection.Outgoing : TransferDirection.Incoming, fields[13], fields[17] == "c");
        return true;
    }

    private static bool Matches(TransferRecord record, TransferQuery query) =>
        (query.User is null || record.User == query.User)
        && (query.Path is null || record.Path.Contains(query.Path, StringComparison.Ordinal))
        && (query.From is null || record.Finished >= query.From)
        && (query.To is null || record.Finished <= query.To)
        && (query.Complete is null || record.Complete == query.Complete);
}
