namespace Gatehouse.Accounts.Store;

/// <summary>What the metrics read from the account store, a few indexed queries at a time (the caller caches the result).</summary>
/// <param name="HomeBytes">Bytes used by each user's home, by user name; when read in total, one entry with a null name.</param>
/// <param name="FolderBytes">Bytes used by all shared folders together.</param>
/// <param name="EventsPending">Event deliveries queued and not yet delivered, across the cluster.</param>
/// <param name="EventsFailed">Event deliveries given up after their retries, kept for inspection.</param>
public sealed record StoreReadings(IReadOnlyList<(string? User, long Bytes)> HomeBytes, long FolderBytes, long EventsPending, long EventsFailed)
{
    public static StoreReadings None { get; } = new([], 0, 0, 0);
}

public sealed class SqlStoreReadings(AccountDatabase database)
{
    private const string HomePrefix = "user:";

    /// <param name="perUser">Read each home's usage rather than their total.</param>
    public async Task<StoreReadings> ReadAsync(bool perUser, CancellationToken cancellationToken)
    {
        var usage = await database.QueryAsync(
            perUser
                ? "SELECT area, bytes FROM usage"
                : $"SELECT CASE WHEN area LIKE '{HomePrefix}%' THEN '{HomePrefix}' ELSE 'folder:' END AS kind, CAST(SUM(bytes) AS BIGINT) FROM usage GROUP BY kind",
            row => (Area: row.GetString(0), Bytes: row.GetInt64(1)),
            cancellationToken).ConfigureAwait(false);
        var homes = new List<(string? User, long Bytes)>();
        long folders = 0;
        foreach (var (area, bytes) in usage)
        {
            if (area.StartsWith(HomePrefix, StringComparison.Ordinal))
            {
                homes.Add((perUser ? area[HomePrefix.Length..] : null, bytes));
            }
            else
            {
                folders += bytes;
            }
        }

        var deliveries = await database.QueryAsync(
            "SELECT state, COUNT(*) FROM event_deliveries WHERE state IN ('pending', 'failed') GROUP BY state",
            row => (State: row.GetString(0), Count: row.GetInt64(1)),
            cancellationToken).ConfigureAwait(false);
        return new StoreReadings(
            homes,
            folders,
            deliveries.Where(row => row.State == "pending").Sum(row => row.Count),
            deliveries.Where(row => row.State == "failed").Sum(row => row.Count));
    }
}
