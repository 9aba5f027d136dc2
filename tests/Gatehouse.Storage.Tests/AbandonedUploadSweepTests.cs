using Gatehouse.Storage.Local;

namespace Gatehouse.Storage.Tests;

/// <summary>Which temporary upload files the sweep removes, and which it must never touch.</summary>
public sealed class AbandonedUploadSweepTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>A node alone on its storage, started a minute ago: every file last written before then is an earlier run's.</summary>
    private static readonly AbandonedUploadRules Alone = new(Now, Now.AddMinutes(-1));

    private static readonly AbandonedUploadRules Cluster = new(Now, AloneSince: null);

    private readonly string _sandbox = Directory.CreateTempSubdirectory("gatehouse-sweep-").FullName;

    private string Home => Path.Combine(_sandbox, "home");

    private string Outside => Path.Combine(_sandbox, "outside");

    public AbandonedUploadSweepTests()
    {
        Directory.CreateDirectory(Path.Combine(Home, "orders"));
        Directory.CreateDirectory(Outside);
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    private static string Write(string path, int size, TimeSpan age)
    {
        File.WriteAllBytes(path, new byte[size]);
        File.SetLastWriteTimeUtc(path, (Now - age).UtcDateTime);
        return path;
    }

    private List<AbandonedUpload> Sweep(AbandonedUploadRules rules, out AbandonedUploadSweepResult result)
    {
        var removed = new List<AbandonedUpload>();
        result = AbandonedUploadSweep.Run(Home, rules, removed.Add);
        return removed;
    }

    [Fact]
    public void A_node_alone_removes_every_temporary_file_of_an_earlier_run_and_reports_each()
    {
        var fresh = Write(Path.Combine(Home, ".gatehouse-upload-0123"), 700, TimeSpan.FromMinutes(10));
        var nested = Write(Path.Combine(Home, "orders", ".gatehouse-upload-4567"), 300, TimeSpan.FromDays(3));
        var sinceStart = Write(Path.Combine(Home, ".gatehouse-upload-89ab"), 50, TimeSpan.FromSeconds(10));

        var removed = Sweep(Alone, out var result);

        Assert.False(File.Exists(fresh));
        Assert.False(File.Exists(nested));
        Assert.True(File.Exists(sinceStart), "a file written since this process started is not an earlier run's");
        Assert.Equal(new AbandonedUploadSweepResult(Removed: 2, RemovedBytes: 1000, Kept: 1, KeptBytes: 50, CountedBytes: 0), result);
        var report = Assert.Single(removed, upload => upload.Path == fresh);
        Assert.Equal(700, report.Bytes);
        Assert.Equal(TimeSpan.FromMinutes(10), report.Age);
    }

    [Fact]
    public async Task The_file_of_a_running_upload_is_kept_however_old_it_looks()
    {
        var fs = new LocalFileSystem(Home);
        await using var upload = await fs.BeginUploadAsync(P("/orders/big.csv"), 0, CancellationToken.None);
        await upload.Content.WriteAsync(new byte[1234]);
        await upload.Content.FlushAsync();
        var running = Assert.Single(Directory.GetFiles(Path.Combine(Home, "orders"), ".gatehouse-upload-*"));
        File.SetLastWriteTimeUtc(running, Now.AddDays(-2).UtcDateTime);
        var orphan = Write(Path.Combine(Home, "orders", ".gatehouse-upload-89ab"), 10, TimeSpan.FromDays(2));

        Sweep(Alone, out var alone);
        Sweep(Cluster, out var cluster);

        Assert.True(File.Exists(running));
        Assert.False(File.Exists(orphan));
        Assert.Equal((1, 0), (alone.Removed, alone.Kept));
        Assert.Equal((0, 0), (cluster.Removed, cluster.Kept));
        await upload.CommitAsync(CancellationToken.None);
        Assert.Equal(1234, new FileInfo(Path.Combine(Home, "orders", "big.csv")).Length);
    }

    [Fact]
    public void In_a_cluster_only_files_unwritten_for_longer_than_any_lease_go_and_those_past_a_few_renewals_count()
    {
        var live = Write(Path.Combine(Home, ".gatehouse-upload-live"), 100, TimeSpan.FromMinutes(4));
        var suspect = Write(Path.Combine(Home, ".gatehouse-upload-suspect"), 200, TimeSpan.FromMinutes(40));
        var abandoned = Write(Path.Combine(Home, ".gatehouse-upload-abandoned"), 400, TimeSpan.FromHours(2));

        var removed = Sweep(Cluster, out var result);

        Assert.True(File.Exists(live));
        Assert.True(File.Exists(suspect));
        Assert.False(File.Exists(abandoned));
        Assert.Equal(abandoned, Assert.Single(removed).Path);
        Assert.Equal(new AbandonedUploadSweepResult(Removed: 1, RemovedBytes: 400, Kept: 2, KeptBytes: 300, CountedBytes: 200), result);
    }

    [Fact]
    public void Files_without_the_temporary_prefix_are_never_touched()
    {
        var kept = new[]
        {
            Write(Path.Combine(Home, "report.csv"), 10, TimeSpan.FromDays(30)),
            Write(Path.Combine(Home, "gatehouse-upload-1234"), 10, TimeSpan.FromDays(30)),
            Write(Path.Combine(Home, ".gatehouse-upload"), 10, TimeSpan.FromDays(30)),
            Write(Path.Combine(Home, "orders", "x.gatehouse-upload-1234"), 10, TimeSpan.FromDays(30)),
        };
        var directory = Directory.CreateDirectory(Path.Combine(Home, ".gatehouse-upload-dir")).FullName;

        var removed = Sweep(Alone, out var result);

        Assert.Empty(removed);
        Assert.Equal(default, result);
        Assert.All(kept, path => Assert.True(File.Exists(path), path));
        Assert.True(Directory.Exists(directory));
    }

    [Fact]
    public void Symbolic_links_are_neither_followed_nor_removed()
    {
        var outsideOrphan = Write(Path.Combine(Outside, ".gatehouse-upload-outside"), 10, TimeSpan.FromDays(2));
        var outsideFile = Write(Path.Combine(Outside, "secret.txt"), 10, TimeSpan.FromDays(2));
        Directory.CreateSymbolicLink(Path.Combine(Home, "elsewhere"), Outside);
        var link = Path.Combine(Home, ".gatehouse-upload-link");
        File.CreateSymbolicLink(link, outsideFile);

        var removed = Sweep(Alone, out _);

        Assert.Empty(removed);
        Assert.True(File.Exists(outsideOrphan));
        Assert.True(File.Exists(outsideFile));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public async Task A_running_upload_renews_its_lease_and_a_finished_one_releases_its_name()
    {
        var fs = new LocalFileSystem(Home);
        var upload = await fs.BeginUploadAsync(P("/stalled.bin"), 0, CancellationToken.None);
        var temporary = Assert.Single(Directory.GetFiles(Home, ".gatehouse-upload-*"));
        File.SetLastWriteTimeUtc(temporary, Now.AddDays(-2).UtcDateTime);

        TemporaryUploads.RenewLeases();

        Assert.True(File.GetLastWriteTimeUtc(temporary) > Now.AddDays(-1).UtcDateTime, "the lease was not renewed");
        Assert.True(TemporaryUploads.IsOwned(Path.GetFileName(temporary)));
        await upload.DisposeAsync();
        Assert.False(File.Exists(temporary));
        Assert.False(TemporaryUploads.IsOwned(Path.GetFileName(temporary)));
    }
}
