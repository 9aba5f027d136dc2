using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteAccountFailureStoreTests() : AccountFailureStoreTests(new SqliteTestDatabase());

[Collection(PostgresCollection.Name)]
public sealed class PostgresAccountFailureStoreTests(PostgresServer server) : AccountFailureStoreTests(new PostgresTestDatabase(server));

public abstract class AccountFailureStoreTests(TestDatabase database) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    public void Dispose()
    {
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Failures_are_counted_per_name_across_addresses_and_seen_by_another_node()
    {
        var first = new SqlAccountFailureStore(database.Open());
        await first.RecordAsync("a", "alice", "192.0.2.1", Now - TimeSpan.FromMinutes(20), None);
        await first.RecordAsync("b", "alice", "192.0.2.1", Now - TimeSpan.FromMinutes(1), None);
        await first.RecordAsync("c", "alice", "192.0.2.2", Now, None);
        await first.RecordAsync("d", "alice", "192.0.2.3", Now + TimeSpan.FromSeconds(8), None);
        await first.RecordAsync("e", "bob", "192.0.2.1", Now, None);

        var second = new SqlAccountFailureStore(database.Open());
        Assert.Equal(
            new AccountFailures(3, 1, 3, Now + TimeSpan.FromSeconds(8)),
            await second.RecentAsync("alice", "192.0.2.1", Now - TimeSpan.FromMinutes(15), None));
        Assert.Equal(new AccountFailures(3, 0, 3, Now + TimeSpan.FromSeconds(8)), await second.RecentAsync("alice", "198.51.100.7", Now - TimeSpan.FromMinutes(15), None));
        Assert.Equal(AccountFailures.None, await second.RecentAsync("carol", "192.0.2.1", Now - TimeSpan.FromMinutes(15), None));
    }

    [Fact]
    public async Task A_success_takes_back_its_own_record_and_the_earlier_failures_of_its_address()
    {
        var store = new SqlAccountFailureStore(database.Open());
        await store.RecordAsync("a", "alice", "192.0.2.1", Now, None);
        await store.RecordAsync("b", "alice", "192.0.2.2", Now, None);
        await store.RecordAsync("pending", "alice", "192.0.2.2", Now + TimeSpan.FromSeconds(4), None);
        await store.RecordAsync("c", "bob", "192.0.2.1", Now, None);

        await store.ForgiveAsync("pending", "alice", "192.0.2.2", None);

        Assert.Equal(new AccountFailures(1, 0, 1, Now), await store.RecentAsync("alice", "192.0.2.2", Now - TimeSpan.FromMinutes(1), None));
        Assert.Equal(1, (await store.RecentAsync("bob", "192.0.2.1", Now - TimeSpan.FromMinutes(1), None)).Total);
    }

    [Fact]
    public async Task Old_failures_are_deleted()
    {
        var store = new SqlAccountFailureStore(database.Open());
        await store.RecordAsync("a", "alice", "192.0.2.1", Now - TimeSpan.FromHours(1), None);
        await store.RecordAsync("b", "alice", "192.0.2.1", Now, None);

        await store.ForgetAsync(Now - TimeSpan.FromMinutes(15), None);

        Assert.Equal(1, (await store.RecentAsync("alice", "192.0.2.1", DateTimeOffset.MinValue, None)).Total);
    }
}
