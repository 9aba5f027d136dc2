using System.Collections.Concurrent;
using Gatehouse.Storage.Local;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Storage.Tests;

public sealed class QuotaTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("gatehouse-quota-").FullName;
    private readonly string _markerDirectory = Directory.CreateTempSubdirectory("gatehouse-markers-").FullName;
    private readonly MemoryUsageStore _store = new();

    public void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_markerDirectory, recursive: true);
    }

    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    [Fact]
    public async Task Concurrent_uploads_never_pass_the_limit_together_and_usage_is_exact()
    {
        var ledger = new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), _store);
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), ledger, new QuotaLimits(1_000_000, null));
        var outcomes = new ConcurrentBag<bool>();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try
            {
                await using var upload = await fs.BeginUploadAsync(P($"/f{i}"), 0, CancellationToken.None);
                for (var chunk = 0; chunk < 10; chunk++)
                {
                    await upload.Content.WriteAsync(new byte[10_000]);
                    await Task.Yield();
                }

                await upload.CommitAsync(CancellationToken.None);
                outcomes.Add(true);
            }
            catch (FileSystemException ex) when (ex.Error == FileSystemError.QuotaExceeded)
            {
                outcomes.Add(false);
            }
        })));

        var onDisk = UsageScanner.Scan(_home);
        Assert.Equal(outcomes.Count(ok => ok), (int)onDisk.Files);
        Assert.True(onDisk.Bytes <= 1_000_000);
        Assert.Equal(onDisk, ledger.Used);
        await ledger.SaveAsync(CancellationToken.None);
        Assert.Equal(onDisk, await _store.LoadAsync("user:t", CancellationToken.None));
        Assert.True(outcomes.Count(ok => ok) >= 1);
    }

    [Fact]
    public async Task Overwrite_delete_and_rename_keep_usage_right()
    {
        var ledger = new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), _store);
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), ledger, QuotaLimits.None);
        await WriteAsync(fs, "/a", 100);
        await WriteAsync(fs, "/b", 50);
        await WriteAsync(fs, "/a", 30);
        Assert.Equal(new StorageUsage(80, 2), ledger.Used);
        await fs.RenameAsync(P("/b"), P("/a"), CancellationToken.None);
        Assert.Equal(new StorageUsage(50, 1), ledger.Used);
        await fs.DeleteFileAsync(P("/a"), CancellationToken.None);
        Assert.Equal(new StorageUsage(0, 0), ledger.Used);
        await ledger.SaveAsync(CancellationToken.None);
        Assert.Equal(UsageScanner.Scan(_home), await _store.LoadAsync("user:t", CancellationToken.None));
    }

    [Fact]
    public async Task Two_nodes_writing_the_same_names_on_shared_storage_keep_usage_exact_and_every_file_whole()
    {
        // Two nodes: their own ledgers and file system objects, one shared store and one shared directory.
        var ledgers = Enumerable.Range(0, 2).Select(_ => new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), _store)).ToArray();
        var nodes = ledgers.Select(ledger => new QuotaFileSystem(new LocalFileSystem(_home), ledger, QuotaLimits.None)).ToArray();
        const int Uploads = 64;
        var begun = 0;
        var allBegun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Task.WhenAll(Enumerable.Range(0, Uploads).Select(i => Task.Run(async () =>
        {
            // Each upload is one repeated byte with its own length, so a mixture of two would show.
            var size = 1_000 + (i * 37);
            await using var upload = await nodes[i % 2].BeginUploadAsync(P($"/same-{i % 4}"), 0, CancellationToken.None);
            await upload.Content.WriteAsync(Enumerable.Repeat((byte)i, size).ToArray());

            // Every upload is under way before any commits, so sixteen race for each name.
            if (Interlocked.Increment(ref begun) == Uploads)
            {
                allBegun.SetResult();
            }

            await allBegun.Task;
            await upload.CommitAsync(CancellationToken.None);
        })));

        var onDisk = UsageScanner.Scan(_home);
        Assert.Equal(new StorageUsage(onDisk.Bytes, 4), onDisk);
        foreach (var ledger in ledgers)
        {
            await ledger.SaveAsync(CancellationToken.None);
        }

        Assert.Equal(onDisk, await _store.LoadAsync("user:t", CancellationToken.None));
        foreach (var file in Directory.GetFiles(_home))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(1_000 + (bytes[0] * 37), bytes.Length);
            Assert.All(bytes, value => Assert.Equal(bytes[0], value));
        }
    }

    [Fact]
    public async Task An_idle_ledger_picks_up_a_rescan()
    {
        var ledger = new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), _store, refreshInterval: TimeSpan.Zero);
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), ledger, new QuotaLimits(100, null));
        await WriteAsync(fs, "/a", 60);
        await ledger.SaveAsync(CancellationToken.None);
        File.Delete(Path.Combine(_home, "a"));
        await _store.SetAsync("user:t", UsageScanner.Scan(_home), CancellationToken.None);
        await WriteAsync(fs, "/b", 90);
        Assert.Equal(new StorageUsage(90, 1), ledger.Used);
    }

    [Fact]
    public async Task An_idle_ledger_reads_the_store_at_most_once_per_interval()
    {
        var ledger = new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), _store, refreshInterval: TimeSpan.FromHours(1));
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), ledger, new QuotaLimits(1000, null));
        for (var i = 0; i < 5; i++)
        {
            await WriteAsync(fs, $"/f{i}", 10);
        }

        Assert.Equal(1, _store.Loads);
        Assert.Equal(new StorageUsage(50, 5), ledger.Used);
        await ledger.SaveAsync(CancellationToken.None);
        Assert.Equal(new StorageUsage(50, 5), await _store.LoadAsync("user:t", CancellationToken.None));
    }

    [Fact]
    public async Task Changes_made_while_a_save_is_under_way_go_together_into_the_next_one()
    {
        var store = new GatedUsageStore();
        await store.SetAsync("user:t", default, CancellationToken.None);
        var ledger = new QuotaLedger("user:t", "your home", () => default, store);
        ledger.Record(new StorageUsage(10, 1));
        await store.FirstWriteStarted.Task.WaitAsync(Bound);
        for (var i = 0; i < 5; i++)
        {
            ledger.Record(new StorageUsage(20, 1));
        }

        Assert.Equal(new StorageUsage(110, 6), ledger.Used);
        store.Open.SetResult();
        await ledger.SaveAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(new StorageUsage(110, 6), await store.LoadAsync("user:t", CancellationToken.None));
        Assert.Equal(2, store.Writes);
    }

    [Fact]
    public async Task A_failed_save_keeps_the_change_reports_it_and_the_next_save_writes_it()
    {
        var store = new GatedUsageStore { FailNext = true };
        store.Open.SetResult();
        await store.SetAsync("user:t", default, CancellationToken.None);
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ledger = new QuotaLedger("user:t", "your home", () => default, store, saveFailed: (_, failure) => reported.SetResult(failure));
        ledger.Record(new StorageUsage(10, 1));
        Assert.Equal("database is locked", (await reported.Task.WaitAsync(Bound)).Message);
        Assert.Equal(new StorageUsage(0, 0), await store.LoadAsync("user:t", CancellationToken.None));
        Assert.Equal(new StorageUsage(10, 1), ledger.Unsaved);
        await ledger.SaveAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(new StorageUsage(10, 1), await store.LoadAsync("user:t", CancellationToken.None));
        Assert.Equal(default, ledger.Unsaved);
    }

    [Fact]
    public async Task A_reload_adds_the_changes_not_yet_saved_to_what_the_store_holds()
    {
        var store = new GatedUsageStore();
        await store.SetAsync("user:t", new StorageUsage(1000, 10), CancellationToken.None);
        var ledger = new QuotaLedger("user:t", "your home", () => default, store, refreshInterval: TimeSpan.Zero);
        (await ledger.BeginUploadAsync(QuotaLimits.None, newFile: false, CancellationToken.None)).Release();
        ledger.Record(new StorageUsage(10, 1));
        await store.FirstWriteStarted.Task.WaitAsync(Bound);

        // The reload waits behind the save under way; a change made meanwhile is in no store read yet.
        var reload = ledger.BeginUploadAsync(QuotaLimits.None, newFile: false, CancellationToken.None);
        ledger.Record(new StorageUsage(5, 1));
        await store.AddDirectlyAsync("user:t", new StorageUsage(100, 1));
        store.Open.SetResult();
        (await reload.WaitAsync(Bound)).Release();
        Assert.Equal(new StorageUsage(1115, 13), ledger.Used);
        await ledger.SaveAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(new StorageUsage(1115, 13), await store.LoadAsync("user:t", CancellationToken.None));
    }

    [Fact]
    public async Task A_change_puts_the_marker_on_disk_before_it_is_made_and_the_marker_goes_once_the_store_has_it()
    {
        var markers = new UsageMarkers(_markerDirectory, sync: true);
        var store = new GatedUsageStore();
        await store.SetAsync("user:t", default, CancellationToken.None);
        var ledger = new QuotaLedger("user:t", "your home", () => default, store, markers: markers);

        await ledger.BeginChangeAsync(CancellationToken.None);
        Assert.Equal(["user:t"], markers.List());
        ledger.EndChange(new StorageUsage(10, 1));
        await store.FirstWriteStarted.Task.WaitAsync(Bound);
        Assert.Equal(["user:t"], markers.List());

        store.Open.SetResult();
        await ledger.SaveAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Empty(markers.List());
        Assert.Equal(new StorageUsage(10, 1), await store.LoadAsync("user:t", CancellationToken.None));
    }

    [Fact]
    public async Task The_marker_stays_while_a_change_is_under_way_or_unsaved()
    {
        var markers = new UsageMarkers(_markerDirectory, sync: false);
        var store = new GatedUsageStore { FailNext = true };
        store.Open.SetResult();
        await store.SetAsync("user:t", default, CancellationToken.None);
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ledger = new QuotaLedger("user:t", "your home", () => default, store, saveFailed: (_, _) => failed.TrySetResult(), markers: markers);
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), ledger, QuotaLimits.None);

        await WriteAsync(fs, "/a", 100);
        await failed.Task.WaitAsync(Bound);
        Assert.Equal(["user:t"], markers.List());

        await ledger.BeginChangeAsync(CancellationToken.None);
        await ledger.SaveAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(new StorageUsage(100, 1), await store.LoadAsync("user:t", CancellationToken.None));
        Assert.Equal(["user:t"], markers.List());

        ledger.EndChange(default);
        await ledger.SaveAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Empty(markers.List());
    }

    [Fact]
    public async Task An_upload_whose_marker_cannot_be_written_is_not_put_in_place()
    {
        var blocked = Path.Combine(_markerDirectory, "not-a-directory");
        await File.WriteAllTextAsync(blocked, "a file where the marker directory should be");
        var ledger = new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), _store, markers: new UsageMarkers(blocked, sync: false));
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), ledger, QuotaLimits.None);

        var failure = await Assert.ThrowsAsync<FileSystemException>(() => WriteAsync(fs, "/a", 100));

        Assert.Equal(FileSystemError.IoError, failure.Error);
        Assert.Contains("usage of your home could not be recorded", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_home));
        Assert.Equal(default, ledger.Used);
    }

    [Fact]
    public async Task Abandoned_temporary_files_count_against_the_byte_limit()
    {
        var ledger = new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), _store) { AbandonedBytes = 600 };
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), ledger, new QuotaLimits(1000, null));

        var refused = await Assert.ThrowsAsync<FileSystemException>(() => WriteAsync(fs, "/a", 500));
        Assert.Equal(FileSystemError.QuotaExceeded, refused.Error);

        ledger.AbandonedBytes = 0;
        await WriteAsync(fs, "/a", 500);
        Assert.Equal(new StorageUsage(500, 1), ledger.Used);
    }

    private static async Task WriteAsync(IFileSystem fs, string path, int size)
    {
        await using var upload = await fs.BeginUploadAsync(P(path), 0, CancellationToken.None);
        await upload.Content.WriteAsync(new byte[size]);
        await upload.CommitAsync(CancellationToken.None);
    }

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>A store whose writes wait until <see cref="Open"/> is set, and whose next write can be made to fail.</summary>
    [Fact]
    public async Task Uploads_go_on_when_the_store_does_not_answer_with_the_usage_last_read_or_else_the_disks()
    {
        File.WriteAllBytes(Path.Combine(_home, "old.bin"), new byte[300]);
        var store = new AwayUsageStore();
        var answering = false;
        var failures = new ConcurrentQueue<Exception>();
        var ledger = new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), store, refreshInterval: TimeSpan.Zero,
            saveFailed: (_, failure) => failures.Enqueue(failure), storeAnswering: () => answering);

        // Never read, and the store away: the disk is counted, and the limit holds against it.
        var limits = new QuotaLimits(1000, null);
        var upload = await ledger.BeginUploadAsync(limits, newFile: true, CancellationToken.None);
        Assert.Throws<FileSystemException>(() => upload.Reserve(701));
        upload.Reserve(700);
        upload.Release();
        Assert.Equal(new StorageUsage(300, 1), ledger.Used);
        Assert.Single(failures);

        // Once read, an upload while the store is known to be away does not ask it at all; a change waits for it.
        ledger.Record(new StorageUsage(100, 1));
        (await ledger.BeginUploadAsync(limits, newFile: true, CancellationToken.None)).Release();
        Assert.Equal(1, store.Loads);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (failures.Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        Assert.Equal(new StorageUsage(100, 1), ledger.Unsaved);

        // Back: what the store holds plus the change it lacks, which the next save gives it.
        await store.Inner.SetAsync("user:t", new StorageUsage(300, 1), CancellationToken.None);
        answering = true;
        store.Away = false;
        (await ledger.BeginUploadAsync(limits, newFile: true, CancellationToken.None)).Release();
        Assert.Equal(new StorageUsage(400, 2), ledger.Used);
        await ledger.SaveAsync(CancellationToken.None);
        Assert.Equal(new StorageUsage(400, 2), await store.LoadAsync("user:t", CancellationToken.None));
    }

    /// <summary>A store that, while <see cref="Away"/>, fails every call as an unreachable database does.</summary>
    private sealed class AwayUsageStore : IUsageStore
    {
        public MemoryUsageStore Inner { get; } = new();

        public bool Away { get; set; } = true;

        public int Loads { get; private set; }

        public Task<StorageUsage?> LoadAsync(string area, CancellationToken cancellationToken)
        {
            Loads++;
            return Away ? Task.FromException<StorageUsage?>(new TimeoutException("no answer")) : Inner.LoadAsync(area, cancellationToken);
        }

        public Task AddAsync(string area, StorageUsage change, CancellationToken cancellationToken) =>
            Away ? Task.FromException(new TimeoutException("no answer")) : Inner.AddAsync(area, change, cancellationToken);

        public Task SetAsync(string area, StorageUsage usage, CancellationToken cancellationToken) =>
            Away ? Task.FromException(new TimeoutException("no answer")) : Inner.SetAsync(area, usage, cancellationToken);
    }

    private sealed class GatedUsageStore : IUsageStore
    {
        private readonly MemoryUsageStore _inner = new();
        private int _writes;

        public TaskCompletionSource FirstWriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool FailNext { get; set; }

        public int Writes => _writes;

        public Task<StorageUsage?> LoadAsync(string area, CancellationToken cancellationToken) => _inner.LoadAsync(area, cancellationToken);

        public async Task AddAsync(string area, StorageUsage change, CancellationToken cancellationToken)
        {
            FirstWriteStarted.TrySetResult();
            await Open.Task.WaitAsync(cancellationToken);
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("database is locked");
            }

            Interlocked.Increment(ref _writes);
            await _inner.AddAsync(area, change, cancellationToken);
        }

        public Task AddDirectlyAsync(string area, StorageUsage change) => _inner.AddAsync(area, change, CancellationToken.None);

        public Task SetAsync(string area, StorageUsage usage, CancellationToken cancellationToken) => _inner.SetAsync(area, usage, cancellationToken);
    }

    internal sealed class MemoryUsageStore : IUsageStore
    {
        private readonly ConcurrentDictionary<string, StorageUsage> _usage = new();
        private int _loads;

        public int Loads => _loads;

        public Task<StorageUsage?> LoadAsync(string area, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _loads);
            return Task.FromResult(_usage.TryGetValue(area, out var usage) ? usage : (StorageUsage?)null);
        }

        public Task AddAsync(string area, StorageUsage change, CancellationToken cancellationToken)
        {
            _usage.AddOrUpdate(area, change, (_, current) => current + change);
            return Task.CompletedTask;
        }

        public Task SetAsync(string area, StorageUsage usage, CancellationToken cancellationToken)
        {
            _usage[area] = usage;
            return Task.CompletedTask;
        }
    }
}
