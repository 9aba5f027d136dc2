using System.Text;
using Gatehouse.Storage.Local;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Storage.Tests;

/// <summary>
/// Interrupted new uploads kept for resuming (setting resume-uploads): their names, the restart offset rules, what a
/// client can and cannot see of them, their quota accounting and their sweep.
/// </summary>
public sealed class PartialUploadTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("gatehouse-partial-").FullName;
    private readonly LocalFileSystem _alice;

    public PartialUploadTests() => _alice = new LocalFileSystem(_home, syncUploads: false, resumingUser: "alice");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    private string PartialFile(string user, string name) => Path.Combine(_home, PartialUploads.NameFor(user, name));

    /// <summary>An upload of <paramref name="data"/> after <paramref name="offset"/> bytes, cut by its client.</summary>
    private static async Task<long> CutAsync(IFileSystem fs, string path, string data, long offset = 0)
    {
        var upload = await fs.BeginUploadAsync(P(path), offset, CancellationToken.None);
        await using (upload)
        {
            await upload.Content.WriteAsync(Encoding.UTF8.GetBytes(data));
            return await upload.KeepPartialAsync(CancellationToken.None);
        }
    }

    private static async Task<UploadCommit> CompleteAsync(IFileSystem fs, string path, string data, long offset = 0)
    {
        await using var upload = await fs.BeginUploadAsync(P(path), offset, CancellationToken.None);
        await upload.Content.WriteAsync(Encoding.UTF8.GetBytes(data));
        return await upload.CommitAsync(CancellationToken.None);
    }

    [Fact]
    public void The_name_depends_on_the_user_and_the_file_name_only_and_is_reserved()
    {
        var name = PartialUploads.NameFor("alice", "orders.csv");
        Assert.Equal(name, PartialUploads.NameFor("alice", "orders.csv"));
        Assert.NotEqual(name, PartialUploads.NameFor("bob", "orders.csv"));
        Assert.NotEqual(name, PartialUploads.NameFor("alice", "orders.csv2"));
        Assert.NotEqual(PartialUploads.NameFor("a", "b\0c"), PartialUploads.NameFor("a\0b", "c"));
        Assert.Matches("^\\.gatehouse-upload-partial-[0-9a-f]{32}$", name);
        Assert.True(TemporaryUploads.IsTemporaryName(name));
        Assert.False(PathValidation.TryValidateName(name, out _), "a client can never address a partial upload by its name");
    }

    [Fact]
    public async Task A_cut_new_upload_is_kept_hidden_and_only_its_user_sees_its_length()
    {
        Assert.Equal(5, await CutAsync(_alice, "/big.bin", "hello"));

        Assert.Null(await _alice.GetEntryAsync(P("/big.bin"), CancellationToken.None));
        Assert.Empty(await _alice.ListAsync(VirtualPath.Root, CancellationToken.None));
        await Assert.ThrowsAsync<FileSystemException>(async () => await _alice.OpenReadAsync(P("/big.bin"), 0, CancellationToken.None));
        Assert.Equal(5, await _alice.GetPartialUploadSizeAsync(P("/big.bin"), CancellationToken.None));
        Assert.Null(await new LocalFileSystem(_home, resumingUser: "bob").GetPartialUploadSizeAsync(P("/big.bin"), CancellationToken.None));
        Assert.Null(await new LocalFileSystem(_home).GetPartialUploadSizeAsync(P("/big.bin"), CancellationToken.None));
        Assert.Equal("hello", File.ReadAllText(PartialFile("alice", "big.bin")));
    }

    [Fact]
    public async Task Resuming_at_the_kept_length_continues_it_and_publishes_the_whole_file_once()
    {
        await CutAsync(_alice, "/big.bin", "hello ");
        await CutAsync(_alice, "/big.bin", "wor", offset: 6);
        Assert.Equal(9, await _alice.GetPartialUploadSizeAsync(P("/big.bin"), CancellationToken.None));

        var committed = await CompleteAsync(_alice, "/big.bin", "ld", offset: 9);

        Assert.Equal(new UploadCommit(null, 0), committed);
        Assert.Equal("hello world", File.ReadAllText(Path.Combine(_home, "big.bin")));
        Assert.False(File.Exists(PartialFile("alice", "big.bin")));
        Assert.Null(await _alice.GetPartialUploadSizeAsync(P("/big.bin"), CancellationToken.None));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(1_000_000)]
    public async Task A_restart_offset_other_than_the_kept_length_is_refused_and_loses_nothing(long offset)
    {
        await CutAsync(_alice, "/big.bin", "hello");

        var error = await Assert.ThrowsAsync<FileSystemException>(async () => await _alice.BeginUploadAsync(P("/big.bin"), offset, CancellationToken.None));

        Assert.Equal(FileSystemError.OffsetBeyondEnd, error.Error);
        Assert.Contains("send REST 5", error.Message, StringComparison.Ordinal);
        Assert.Equal("hello", File.ReadAllText(PartialFile("alice", "big.bin")));
    }

    [Fact]
    public async Task Another_user_cannot_resume_it_and_a_user_without_resume_gets_today_s_refusal()
    {
        await CutAsync(_alice, "/big.bin", "hello");

        foreach (var other in new[] { new LocalFileSystem(_home, resumingUser: "bob"), new LocalFileSystem(_home) })
        {
            var error = await Assert.ThrowsAsync<FileSystemException>(async () => await other.BeginUploadAsync(P("/big.bin"), 5, CancellationToken.None));
            Assert.Equal(FileSystemError.NotFound, error.Error);
        }

        Assert.Equal("hello", File.ReadAllText(PartialFile("alice", "big.bin")));
    }

    [Fact]
    public async Task A_resumed_attempt_that_fails_for_another_reason_puts_the_partial_back_as_it_was()
    {
        await CutAsync(_alice, "/big.bin", "hello");
        await using (var attempt = await _alice.BeginUploadAsync(P("/big.bin"), 5, CancellationToken.None))
        {
            Assert.False(File.Exists(PartialFile("alice", "big.bin")), "taken by the running attempt, so no second one can take it");
            await attempt.Content.WriteAsync("data of unknown origin"u8.ToArray());
        }

        Assert.Equal("hello", File.ReadAllText(PartialFile("alice", "big.bin")));
    }

    [Fact]
    public async Task Two_attempts_cannot_take_the_same_partial()
    {
        await CutAsync(_alice, "/big.bin", "hello");
        await using var first = await _alice.BeginUploadAsync(P("/big.bin"), 5, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FileSystemException>(async () => await _alice.BeginUploadAsync(P("/big.bin"), 5, CancellationToken.None));

        Assert.Equal(FileSystemError.NotFound, error.Error);
        await first.Content.WriteAsync(" world"u8.ToArray());
        await first.CommitAsync(CancellationToken.None);
        Assert.Equal("hello world", File.ReadAllText(Path.Combine(_home, "big.bin")));
    }

    [Fact]
    public async Task With_a_complete_file_under_the_name_nothing_is_kept_and_resuming_works_on_the_file()
    {
        await CompleteAsync(_alice, "/big.bin", "complete");

        Assert.Equal(0, await CutAsync(_alice, "/big.bin", "replacement cut short"));
        Assert.Equal(0, await CutAsync(_alice, "/big.bin", " appended", offset: 8));

        Assert.Null(await _alice.GetPartialUploadSizeAsync(P("/big.bin"), CancellationToken.None));
        Assert.False(File.Exists(PartialFile("alice", "big.bin")));
        await CompleteAsync(_alice, "/big.bin", "ly!", offset: 8);
        Assert.Equal("completely!", File.ReadAllText(Path.Combine(_home, "big.bin")));
    }

    [Fact]
    public async Task A_complete_upload_from_the_start_supersedes_the_partial()
    {
        await CutAsync(_alice, "/big.bin", "stale part");

        var committed = await CompleteAsync(_alice, "/big.bin", "fresh");

        Assert.Equal(new UploadCommit(null, 10), committed);
        Assert.False(File.Exists(PartialFile("alice", "big.bin")));
        Assert.Equal("fresh", File.ReadAllText(Path.Combine(_home, "big.bin")));
    }

    [Fact]
    public async Task A_later_cut_attempt_from_the_start_replaces_the_partial()
    {
        await CutAsync(_alice, "/big.bin", "first try");

        Assert.Equal(3 - 9, await CutAsync(_alice, "/big.bin", "two"));

        Assert.Equal("two", File.ReadAllText(PartialFile("alice", "big.bin")));
    }

    [Fact]
    public async Task Without_resume_a_cut_upload_is_discarded_as_before()
    {
        var off = new LocalFileSystem(_home);

        Assert.Equal(0, await CutAsync(off, "/big.bin", "hello"));

        Assert.Empty(Directory.GetFileSystemEntries(_home));
    }

    [Fact]
    public async Task An_empty_cut_upload_leaves_nothing()
    {
        Assert.Equal(0, await CutAsync(_alice, "/big.bin", string.Empty));

        Assert.Empty(Directory.GetFileSystemEntries(_home));
    }

    [Fact]
    public async Task Partials_count_in_the_area_s_bytes_not_its_files_at_every_step()
    {
        var store = new QuotaTests.MemoryUsageStore();
        var ledger = new QuotaLedger("user:alice", "your home", () => UsageScanner.Scan(_home), store);
        var fs = new QuotaFileSystem(_alice, ledger, new QuotaLimits(100, null));

        await CutAsync(fs, "/big.bin", new string('a', 40));
        Assert.Equal(new StorageUsage(40, 0), ledger.Used);
        Assert.Equal(UsageScanner.Scan(_home), ledger.Used);

        await CutAsync(fs, "/big.bin", new string('b', 30), offset: 40);
        Assert.Equal(new StorageUsage(70, 0), ledger.Used);
        Assert.Equal(UsageScanner.Scan(_home), ledger.Used);

        var error = await Assert.ThrowsAsync<FileSystemException>(() => CompleteAsync(fs, "/other.bin", new string('c', 31)));
        Assert.Equal(FileSystemError.QuotaExceeded, error.Error);

        await CompleteAsync(fs, "/big.bin", new string('d', 30), offset: 70);
        Assert.Equal(new StorageUsage(100, 1), ledger.Used);
        Assert.Equal(UsageScanner.Scan(_home), ledger.Used);

        await CutAsync(fs, "/next.bin", new string('e', 0));
        await fs.DeleteFileAsync(P("/big.bin"), CancellationToken.None);
        await CutAsync(fs, "/next.bin", new string('e', 20));
        await CompleteAsync(fs, "/next.bin", "f");
        Assert.Equal(new StorageUsage(1, 1), ledger.Used);
        Assert.Equal(UsageScanner.Scan(_home), ledger.Used);
    }

    [Fact]
    public async Task The_sweep_leaves_partials_alone_until_their_maximum_age_even_after_a_restart()
    {
        await CutAsync(_alice, "/young.bin", "young");
        await CutAsync(_alice, "/old.bin", "old!");
        var old = PartialFile("alice", "old.bin");
        var now = DateTimeOffset.UtcNow;
        File.SetLastWriteTimeUtc(old, now.AddHours(-73).UtcDateTime);

        var aloneAfterRestart = new AbandonedUploadRules(now, AloneSince: now, PartialMaxAge: TimeSpan.FromHours(72));
        var removed = new List<AbandonedUpload>();
        var result = AbandonedUploadSweep.Run(_home, aloneAfterRestart, removed.Add);

        Assert.False(File.Exists(old));
        Assert.True(File.Exists(PartialFile("alice", "young.bin")));
        Assert.Equal((1, 4L, 0, 0, 0L), (result.PartialsRemoved, result.PartialBytesRemoved, result.Removed, result.Kept, result.CountedBytes));
        Assert.Equal(new AbandonedUpload(old, 4, TimeSpan.FromHours(73), AbandonedUploadKind.ExpiredPartial), Assert.Single(removed) with { Age = TimeSpan.FromHours(73) });
    }

    [Fact]
    public async Task Without_a_maximum_age_the_sweep_never_removes_a_partial()
    {
        await CutAsync(_alice, "/old.bin", "old!");
        File.SetLastWriteTimeUtc(PartialFile("alice", "old.bin"), DateTime.UtcNow.AddYears(-1));

        var result = AbandonedUploadSweep.Run(_home, new AbandonedUploadRules(DateTimeOffset.UtcNow, null, PartialMaxAge: null), _ => { });

        Assert.Equal(0, result.PartialsRemoved);
        Assert.True(File.Exists(PartialFile("alice", "old.bin")));
    }

    [Fact]
    public async Task After_a_crash_the_file_of_an_attempt_that_was_resuming_goes_back_to_being_the_partial_it_took()
    {
        // What a process killed while continuing a 5-byte partial leaves: its temporary file, with data of the attempt after the 5 bytes.
        var partialName = PartialUploads.NameFor("alice", "big.bin");
        var crashed = Path.Combine(_home, $"{partialName}.5.{Guid.NewGuid():N}");
        File.WriteAllText(crashed, "hello, and what the dead attempt wrote");
        Assert.True(PartialUploads.TryParseResuming(Path.GetFileName(crashed), out var parsed, out var length));
        Assert.Equal((partialName, 5L), (parsed, length));
        Assert.Equal(new StorageUsage(5, 0), UsageScanner.Scan(_home));

        var removed = new List<AbandonedUpload>();
        var now = DateTimeOffset.UtcNow;
        var result = AbandonedUploadSweep.Run(_home, new AbandonedUploadRules(now, AloneSince: now.AddMinutes(1), TimeSpan.FromHours(72)), removed.Add);

        Assert.Equal((1, 0, 0), (result.PartialsRestored, result.Removed, result.Kept));
        Assert.Equal(AbandonedUploadKind.RestoredPartial, Assert.Single(removed).Kind);
        Assert.False(File.Exists(crashed));
        Assert.Equal("hello", File.ReadAllText(PartialFile("alice", "big.bin")));
        Assert.Equal(5, await _alice.GetPartialUploadSizeAsync(P("/big.bin"), CancellationToken.None));
        Assert.Equal(new StorageUsage(5, 0), UsageScanner.Scan(_home));
    }

    [Fact]
    public async Task After_a_crash_a_newer_partial_wins_over_the_one_a_dead_attempt_took()
    {
        await CutAsync(_alice, "/big.bin", "newer partial");
        var crashed = Path.Combine(_home, $"{PartialUploads.NameFor("alice", "big.bin")}.5.{Guid.NewGuid():N}");
        File.WriteAllText(crashed, "older");

        var now = DateTimeOffset.UtcNow;
        var result = AbandonedUploadSweep.Run(_home, new AbandonedUploadRules(now, AloneSince: now.AddMinutes(1)), _ => { });

        Assert.Equal((0, 1), (result.PartialsRestored, result.Removed));
        Assert.Equal("newer partial", File.ReadAllText(PartialFile("alice", "big.bin")));
    }

    [Theory]
    [InlineData(".gatehouse-upload-partial-0123456789abcdef0123456789abcdef")]
    [InlineData(".gatehouse-upload-partial-0123456789abcdef0123456789abcdef.0.0123456789abcdef0123456789abcdef")]
    [InlineData(".gatehouse-upload-partial-0123456789abcdef0123456789abcdef.-5.0123456789abcdef0123456789abcdef")]
    [InlineData(".gatehouse-upload-partial-0123.5.0123456789abcdef0123456789abcdef")]
    [InlineData(".gatehouse-upload-0123456789abcdef0123456789abcdef")]
    public void Only_names_of_attempts_continuing_a_partial_parse_as_such(string name)
    {
        Assert.False(PartialUploads.TryParseResuming(name, out _, out _));
    }
}
