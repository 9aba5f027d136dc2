using System.Collections.Concurrent;
using Gatehouse.Protocol.Access;
using Gatehouse.Storage;
using Gatehouse.Storage.Local;
using Gatehouse.Storage.Quotas;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Tests;

/// <summary>
/// What the server's ledgers do with usage changes that the 20 ms write-behind has not saved yet: at shutdown, and at
/// the start after a crash lost them.
/// </summary>
public sealed class QuotaLedgersTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("gatehouse-ledgers-").FullName;
    private readonly string _markerDirectory = Directory.CreateTempSubdirectory("gatehouse-markers-").FullName;

    public void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_markerDirectory, recursive: true);
    }

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
        var log = new ListLogger<QuotaLedgers>();
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

    [Fact]
    public async Task After_a_crash_the_next_start_counts_the_areas_with_unsaved_changes_again_from_the_disk()
    {
        var markers = new UsageMarkers(_markerDirectory, sync: true);
        var store = new RecordingStore();
        await store.SetAsync("user:alice", default, CancellationToken.None);
        await store.SetAsync("user:bob", new StorageUsage(5, 1), CancellationToken.None);

        // The run that crashes: its saves never reach the store (killed within the 20 ms), and it never shuts down.
        var unreachable = new RecordingStore();
        await unreachable.SetAsync("user:alice", default, CancellationToken.None);
        unreachable.Failure = "killed";
        var crashed = new QuotaLedgers(unreachable, markers: markers);
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), crashed.For(QuotaLedgers.HomeArea("alice"), "your home", _home), QuotaLimits.None);
        foreach (var (name, size) in new[] { ("a", 100), ("b", 2000), ("c", 30) })
        {
            Assert.True(VirtualPath.TryResolve(VirtualPath.Root, name, out var path, out _));
            await using var upload = await fs.BeginUploadAsync(path, 0, CancellationToken.None);
            await upload.Content.WriteAsync(new byte[size]);
            await upload.CommitAsync(CancellationToken.None);
        }

        markers.Set(QuotaLedgers.FolderArea("removed-since"));
        Assert.Equal(default, unreachable.Saved("user:alice"));

        var log = new ListLogger<QuotaLedgers>();
        await new QuotaLedgers(store, log, markers).RecountMarkedAsync(area => area == "user:alice" ? _home : null, CancellationToken.None);

        Assert.Equal(new StorageUsage(2130, 3), store.Saved("user:alice"));
        Assert.Equal(UsageScanner.Scan(_home), store.Saved("user:alice"));
        Assert.Equal(new StorageUsage(5, 1), store.Saved("user:bob"));
        Assert.Empty(markers.List());
        var recounted = Assert.Single(log.Entries, entry => entry.Id == 130);
        Assert.Contains("user:alice counted again", recounted.Message, StringComparison.Ordinal);
        Assert.Contains("2130 bytes in 3 files (the store said 0 bytes in 0 files)", recounted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recount_that_fails_keeps_the_marker_for_the_next_start_and_says_why()
    {
        var markers = new UsageMarkers(_markerDirectory, sync: false);
        markers.Set(QuotaLedgers.HomeArea("alice"));
        var log = new ListLogger<QuotaLedgers>();

        await new QuotaLedgers(new RecordingStore { Failure = "database is locked" }, log, markers)
            .RecountMarkedAsync(_ => _home, CancellationToken.None);

        Assert.Equal(["user:alice"], markers.List());
        var failed = Assert.Single(log.Entries, entry => entry.Id == 131);
        Assert.Contains("database is locked", failed.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingStore : IUsageStore
    {
        private readonly ConcurrentDictionary<string, StorageUsage> _usage = new(StringComparer.Ordinal);

        public string? Failure { get; set; }

        public StorageUsage Saved(string area) => _usage.GetValueOrDefault(area);

        public Task<StorageUsage?> LoadAsync(string area, CancellationToken cancellationToken) =>
            Task.FromResult(_usage.TryGetValue(area, out var usage) ? usage : (StorageUsage?)null);

        public Task AddAsync(string area, StorageUsage change, CancellationToken cancellationToken)
        {
            FailIfAsked();
            _usage.AddOrUpdate(area, change, (_, current) => current + change);
            return Task.CompletedTask;
        }

        public Task SetAsync(string area, StorageUsage usage, CancellationToken cancellationToken)
        {
            FailIfAsked();
            _usage[area] = usage;
            return Task.CompletedTask;
        }

        private void FailIfAsked()
        {
            if (Failure is not null)
            {
                throw new InvalidOperationException(Failure);
            }
        }
    }
}
