using System.Text;
using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Events;

namespace Gatehouse.Protocol.Tests.Events;

/// <summary>The SQLite node's event journal: what it keeps across a kill, and what it moves into the store's queue.</summary>
public sealed class EventJournalTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gatehouse-journal-");
    private readonly ListLogger<EventJournal> _log = new();
    private readonly AccountDatabase _database;
    private readonly SqlEventStore _store;
    private readonly CancellationToken _none = CancellationToken.None;

    public EventJournalTests()
    {
        _database = AccountDatabase.OpenSqlite(Path.Combine(_directory.FullName, "accounts.db"));
        _store = new SqlEventStore(_database, TimeProvider.System);
    }

    private string JournalPath => Path.Combine(_directory.FullName, "events.journal");

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private static ServerEvent Upload(string path) =>
        new() { Id = Guid.NewGuid().ToString("N"), Kind = "upload", Time = DateTimeOffset.UtcNow, Node = "n1", User = "alice", Path = path, Size = 10 };

    private async Task<List<(string Rule, string? Path)>> Queued() =>
        [.. (await _store.ListDeliveriesAsync(DeliveryState.Pending, 1000, _none)).OrderBy(delivery => delivery.Id).Select(delivery => (delivery.Rule, delivery.Event.Path))];

    [Fact]
    public async Task Appended_events_are_held_until_moved_into_the_store_in_order_and_then_the_file_is_emptied()
    {
        using var journal = new EventJournal(JournalPath, _log);
        journal.Append(Upload("/orders/1.xml"), ["a", "b"]);
        journal.Append(Upload("/orders/2.xml"), ["a"]);
        Assert.Equal(2, journal.Held);
        Assert.Empty(await Queued());

        Assert.Equal(2, await journal.MoveAsync(_store, _none));

        Assert.Equal([("a", "/orders/1.xml"), ("b", "/orders/1.xml"), ("a", "/orders/2.xml")], await Queued());
        Assert.Equal(0, journal.Held);
        Assert.Equal(0, new FileInfo(JournalPath).Length);
        Assert.Equal(0, await journal.MoveAsync(_store, _none));
    }

    [Fact]
    public async Task Events_of_a_server_that_was_killed_are_moved_by_the_next_and_a_line_cut_off_mid_write_is_dropped_with_a_log_line()
    {
        using (var killed = new EventJournal(JournalPath, _log))
        {
            killed.Append(Upload("/orders/1.xml"), ["a"]);
            killed.Append(Upload("/orders/2.xml"), ["a"]);
        }

        File.AppendAllText(JournalPath, "{\"rules\":[\"a\"],\"event\":{\"id\":\"");

        using var next = new EventJournal(JournalPath, _log);
        Assert.Equal(2, next.Held);
        Assert.Contains(_log.Entries, entry => entry.Id == 215 && entry.Message.Contains("cut off", StringComparison.Ordinal));
        Assert.Equal(2, await next.MoveAsync(_store, _none));
        Assert.Equal([("a", "/orders/1.xml"), ("a", "/orders/2.xml")], await Queued());
    }

    [Fact]
    public async Task Lines_moved_again_after_a_crash_before_the_file_was_emptied_are_not_queued_twice()
    {
        using (var journal = new EventJournal(JournalPath, _log))
        {
            journal.Append(Upload("/orders/1.xml"), ["a", "b"]);
        }

        var beforeMove = File.ReadAllBytes(JournalPath);
        using (var journal = new EventJournal(JournalPath, _log))
        {
            await journal.MoveAsync(_store, _none);
            journal.Append(Upload("/orders/2.xml"), ["a"]);
        }

        // The store committed the first event, then the server died before emptying the file.
        File.WriteAllBytes(JournalPath, [.. beforeMove, .. File.ReadAllBytes(JournalPath)]);
        using var next = new EventJournal(JournalPath, _log);
        await next.MoveAsync(_store, _none);

        Assert.Equal([("a", "/orders/1.xml"), ("b", "/orders/1.xml"), ("a", "/orders/2.xml")], await Queued());
    }

    [Fact]
    public async Task A_damaged_line_is_left_out_with_a_log_line_naming_where_it_was_and_the_rest_is_moved()
    {
        using (var journal = new EventJournal(JournalPath, _log))
        {
            journal.Append(Upload("/orders/1.xml"), ["a"]);
        }

        var damagedAt = new FileInfo(JournalPath).Length;
        File.AppendAllText(JournalPath, "not an event\n", Encoding.UTF8);
        using (var journal = new EventJournal(JournalPath, _log))
        {
            journal.Append(Upload("/orders/2.xml"), ["a"]);
            Assert.Equal(3, journal.Held);
            Assert.Equal(2, await journal.MoveAsync(_store, _none));
            Assert.Equal(0, journal.Held);
        }

        Assert.Equal([("a", "/orders/1.xml"), ("a", "/orders/2.xml")], await Queued());
        var skipped = Assert.Single(_log.Entries, entry => entry.Id == 215);
        Assert.Contains($"byte {damagedAt}", skipped.Message, StringComparison.Ordinal);
        Assert.Contains("not an event", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_server_on_the_same_data_directory_is_refused_with_the_reason()
    {
        using var running = new EventJournal(JournalPath, _log);
        var refused = Assert.Throws<InvalidOperationException>(() => new EventJournal(JournalPath, _log));
        Assert.Contains("if another Gatehouse server runs on this DataDirectory", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_appended_while_a_move_runs_are_all_moved_once()
    {
        using var journal = new EventJournal(JournalPath, _log);
        var appending = Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                journal.Append(Upload($"/orders/{i}.xml"), ["a"]);
            }
        });
        while (!appending.IsCompleted)
        {
            await journal.MoveAsync(_store, _none);
        }

        await appending;
        await journal.MoveAsync(_store, _none);

        Assert.Equal(Enumerable.Range(0, 500).Select(i => ("a", (string?)$"/orders/{i}.xml")), await Queued());
        Assert.Equal(0, journal.Held);
    }
}
