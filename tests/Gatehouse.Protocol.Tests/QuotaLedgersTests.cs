using System.Collections.Concurrent;
using Gatehouse.Protocol.Access;
using Gatehouse.Storage.Quotas;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Tests;

/// <summary>What the server's ledgers do at shutdown with usage changes that the 20 ms write-behind has not saved yet.</summary>
public sealed class QuotaLedgersTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("gatehouse-ledgers-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Shutdown_saves_the_changes_not_yet_in_the_store()
    {
        var store = new RecordingStore();
        var ledgers = new QuotaLedgers(store);
        ledgers.For(QuotaLedgers.HomeArea("alice"), "your home", _home).Record(new StorageUsage(4096, 1));
        ledgers.For(QuotaLedgers.FolderArea("drop"), "the folder /drop", _home).Record(new StorageUsage(-100, -1));

        await ledgers.DisposeAsync();

        Assert.Equal(new StorageUsage(4096, 1), store.Saved("user:alice"));
        Assert.Equal(new StorageUsage(-100, -1), store.Saved("folder:drop"));
    }

    [Fact]
    public async Task A_save_that_fails_at_shutdown_is_logged_with_what_is_lost()
    {
        var log = new ListLogger();
        var ledgers = new QuotaLedgers(new RecordingStore { Failure = "database is locked" }, log);
        var ledger = ledgers.For(QuotaLedgers.HomeArea("alice"), "your home", _home);
        ledger.Record(new StorageUsage(300, 2));

        await ledgers.DisposeAsync();

        var lost = Assert.Single(log.Entries, entry => entry.Id == 87);
        Assert.Equal(LogLevel.Error, lost.Level);
        Assert.Contains("user:alice at shutdown (300 bytes, 2 files)", lost.Message, StringComparison.Ordinal);
        Assert.Contains("database is locked", lost.Message, StringComparison.Ordinal);
        Assert.Equal(new StorageUsage(300, 2), ledger.Unsaved);
    }

    private sealed class RecordingStore : IUsageStore
    {
        private readonly ConcurrentDictionary<string, StorageUsage> _usage = new(StringComparer.Ordinal);

        public string? Failure { get; init; }

        public StorageUsage Saved(string area) => _usage.GetValueOrDefault(area);

        public Task<StorageUsage?> LoadAsync(string area, CancellationToken cancellationToken) =>
            Task.FromResult(_usage.TryGetValue(area, out var usage) ? usage : (StorageUsage?)null);

        public Task AddAsync(string area, StorageUsage change, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw new InvalidOperationException(Failure);
            }

            _usage.AddOrUpdate(area, change, (_, current) => current + change);
            return Task.CompletedTask;
        }

        public Task SetAsync(string area, StorageUsage usage, CancellationToken cancellationToken)
        {
            _usage[area] = usage;
            return Task.CompletedTask;
        }
    }

    private sealed class ListLogger : ILogger<QuotaLedgers>
    {
        public ConcurrentQueue<(int Id, LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
    }
}
