using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteAuditTrailTests() : AuditTrailTests(new SqliteTestDatabase(), dropGuards: """
    DROP TRIGGER audit_log_no_update;
    DROP TRIGGER audit_log_no_delete;
    """);

[Collection(PostgresCollection.Name)]
public sealed class PostgresAuditTrailTests(PostgresServer server) : AuditTrailTests(new PostgresTestDatabase(server), dropGuards: """
    DROP TRIGGER audit_log_no_change ON audit_log;
    """);

/// <summary>The audit trail's hash chain: the database refuses changes, and a change made behind its back is found by verify.</summary>
public abstract class AuditTrailTests(TestDatabase database, string dropGuards) : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly AuditActor Operator = new("cli:root", "local (test)");

    public void Dispose()
    {
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Records_of_some_actions_since_a_time_are_counted_by_the_time_they_happened()
    {
        var trail = new AuditTrail(new SqlAuditStore(database.Open()), TimeProvider.System);
        var midnight = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var client = new AuditActor("ftp:alice", "192.0.2.7");
        await trail.RecordAsync(client, "ftp.login.failed", "alice", null, "wrong password", midnight.AddTicks(-1), None);
        await trail.RecordAsync(client, "ftp.login.failed", "alice", null, "wrong password", midnight, None);
        await trail.RecordAsync(client, "ftp.login.refused", "alice", null, "network", midnight.AddHours(3), None);
        await trail.RecordAsync(client, "ftp.login", "alice", null, "session=1", midnight.AddHours(4), None);

        Assert.Equal(2, await trail.CountAsync(["ftp.login.failed", "ftp.login.refused"], midnight, None));
        Assert.Equal(1, await trail.CountAsync(["ftp.login"], midnight, None));
        Assert.Equal(0, await trail.CountAsync([], midnight, None));
    }

    [Fact]
    public async Task Records_chain_in_order_and_verify_as_intact()
    {
        var trail = new AuditTrail(new SqlAuditStore(database.Open()), TimeProvider.System);
        var first = await trail.RecordAsync(Operator, "apikey.add", "deploy", null, "scope=read expires=never", None);
        var second = await trail.RecordAsync(Operator, "apikey.remove", "deploy", "scope=read expires=never", null, None);
        Assert.Equal((1, AuditEntry.Genesis), (first.Sequence, first.PreviousHash));
        Assert.Equal((2, first.Hash), (second.Sequence, second.PreviousHash));

        // Another process appending to the same store continues the same chain.
        var other = new AuditTrail(new SqlAuditStore(database.Open()), TimeProvider.System);
        await other.RecordAsync(new AuditActor("apikey:ops", "192.0.2.7"), "session.kick", "1a2b3c4d", "user=alice client=192.0.2.9:50000", null, None);
        Assert.Equal(new AuditVerification(3, (await new SqlAuditStore(database.Open()).LastAsync(None))!.Hash, null), await trail.VerifyAsync(None));
    }

    [Fact]
    public async Task A_writer_reads_the_last_record_again_only_when_another_writer_appended_since_its_own()
    {
        var store = new CountingStore(new SqlAuditStore(database.Open()));
        var trail = new AuditTrail(store, TimeProvider.System);
        for (var i = 0; i < 3; i++)
        {
            await trail.RecordAsync(new AuditActor("ftp:alice", "192.0.2.7"), "ftp.login", "alice", null, "session=1", None);
        }

        Assert.Equal((1, 3), (store.LastReads, store.Appends));
        await new AuditTrail(new SqlAuditStore(database.Open()), TimeProvider.System).RecordAsync(Operator, "user.add", "bob", null, "home=/srv/bob", None);
        await trail.RecordAsync(new AuditActor("ftp:bob", "192.0.2.8"), "ftp.login", "bob", null, "session=2", None);
        Assert.Equal((2, 5), (store.LastReads, store.Appends));
        Assert.Equal((5L, (string?)null), ((await trail.VerifyAsync(None)).Records, (await trail.VerifyAsync(None)).Problem));
    }

    [Fact]
    public async Task Concurrent_writers_never_fork_the_chain()
    {
        var writers = Enumerable.Range(0, 4).Select(_ => new AuditTrail(new SqlAuditStore(database.Open()), TimeProvider.System)).ToList();
        await Task.WhenAll(writers.Select((writer, index) => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await writer.RecordAsync(Operator, "admin.passwd", $"admin{index}", null, null, None);
            }
        })));
        var result = await writers[0].VerifyAsync(None);
        Assert.Null(result.Problem);
        Assert.Equal(40, result.Records);
    }

    [Fact]
    public async Task The_database_refuses_to_change_or_delete_a_record()
    {
        var store = database.Open();
        await new AuditTrail(new SqlAuditStore(store), TimeProvider.System).RecordAsync(Operator, "admin.add", "root", null, "role=administrator", None);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => store.ExecuteAsync("UPDATE audit_log SET after_value = 'role=operator'", None));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => store.ExecuteAsync("DELETE FROM audit_log", None));
    }

    [Fact]
    public async Task Verify_finds_a_removed_record()
    {
        var store = database.Open();
        var trail = await TrailOfFiveAsync(store);
        await store.ExecuteAsync(dropGuards + "\nDELETE FROM audit_log WHERE sequence = 3;", None);
        var result = await trail.VerifyAsync(None);
        Assert.Equal(2, result.Records);
        Assert.Equal("record 3 is missing: the trail goes from record 2 to record 4", result.Problem);
    }

    [Fact]
    public async Task Verify_finds_an_altered_record_and_one_rehashed_to_hide_it()
    {
        var store = database.Open();
        var trail = await TrailOfFiveAsync(store);
        await store.ExecuteAsync(dropGuards + "\nUPDATE audit_log SET actor = 'cli:someone-else' WHERE sequence = 4;", None);
        Assert.StartsWith("record 4 (", (await trail.VerifyAsync(None)).Problem, StringComparison.Ordinal);
        Assert.EndsWith("was altered: its content does not match its hash", (await trail.VerifyAsync(None)).Problem, StringComparison.Ordinal);

        // Recomputing the altered record's hash breaks the link from the next one instead.
        var altered = (await new SqlAuditStore(store).ReadAsync(3, 1, None)).Single();
        await store.ExecuteAsync("UPDATE audit_log SET hash = @hash WHERE sequence = 4", None, ("@hash", altered.ComputeHash()));
        Assert.Equal("record 5 does not follow record 4: a record before it was replaced", (await trail.VerifyAsync(None)).Problem);
    }

    private static async Task<AuditTrail> TrailOfFiveAsync(AccountDatabase store)
    {
        var trail = new AuditTrail(new SqlAuditStore(store), TimeProvider.System);
        for (var i = 1; i <= 5; i++)
        {
            await trail.RecordAsync(Operator, "admin.add", $"admin{i}", null, "role=operator", None);
        }

        return trail;
    }

    /// <summary>Counts the reads of the last record and the appends that reach the table.</summary>
    private sealed class CountingStore(IAuditStore inner) : IAuditStore
    {
        public int LastReads { get; private set; }

        public int Appends { get; private set; }

        public Task<AuditEntry?> LastAsync(CancellationToken cancellationToken)
        {
            LastReads++;
            return inner.LastAsync(cancellationToken);
        }

        public Task<bool> TryAppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            Appends++;
            return inner.TryAppendAsync(entry, cancellationToken);
        }

        public Task<IReadOnlyList<AuditEntry>> ReadAsync(long after, int limit, CancellationToken cancellationToken) => inner.ReadAsync(after, limit, cancellationToken);

        public Task<long> CountAsync(IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken cancellationToken) => inner.CountAsync(actions, since, cancellationToken);
    }
}
