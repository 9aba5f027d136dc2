using Gatehouse.Accounts.Store;
using Gatehouse.Storage.Quotas;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteUsageStoreTests() : UsageStoreTests(new SqliteTestDatabase());

[Collection(PostgresCollection.Name)]
public sealed class PostgresUsageStoreTests(PostgresServer server) : UsageStoreTests(new PostgresTestDatabase(server));

public abstract class UsageStoreTests(TestDatabase database) : IDisposable
{
    public void Dispose()
    {
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Usage_counts_beyond_32_bits_and_changes_add_up_across_openings()
    {
        var first = new SqlUsageStore(database.Open());
        var second = new SqlUsageStore(database.Open());
        Assert.Null(await first.LoadAsync("home:alice", CancellationToken.None));

        const long FiveGiB = 5L << 30;
        await first.SetAsync("home:alice", new StorageUsage(FiveGiB, 3), CancellationToken.None);
        await second.AddAsync("home:alice", new StorageUsage(FiveGiB, 1), CancellationToken.None);
        await first.AddAsync("home:alice", new StorageUsage(-1024, -1), CancellationToken.None);

        Assert.Equal(new StorageUsage(2 * FiveGiB - 1024, 3), await second.LoadAsync("home:alice", CancellationToken.None));
    }
}
