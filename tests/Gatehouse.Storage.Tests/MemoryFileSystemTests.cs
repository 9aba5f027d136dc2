using System.Globalization;
using System.Text;
using Gatehouse.Storage.Local;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Storage.Tests;

/// <summary>
/// What a protocol handler sees of storage, checked once and run against both <see cref="LocalFileSystem"/> (on the
/// disk) and <see cref="MemoryFileSystem"/> (for tests that drive a session without one), so that the two cannot
/// drift apart. Operations are written as the interface's method names, "Rename /from /to", "BeginUpload /path 4"
/// (4 bytes kept); each test starts from the same small tree (<see cref="SeedAsync"/>).
/// </summary>
public abstract class FileSystemContractTests : IDisposable
{
    /// <summary>A date no operation in these tests can produce, with ticks below the second.</summary>
    protected static readonly DateTimeOffset LongAgo = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero).AddTicks(1234567);

    /// <summary>How far a date set by the storage may be from the clock read just after: the disk's clock is coarse.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(500);

    protected FileSystemContractTests(IFileSystem fileSystem, TimeProvider clock)
    {
        Fs = fileSystem;
        Clock = clock;
    }

    private IFileSystem Fs { get; }

    private TimeProvider Clock { get; }

    protected abstract Task LetTimePassAsync(TimeSpan time);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    /// <summary>/file.txt (10 bytes), /dir holding inner.txt (1 byte) and the empty sub, and the empty /empty.</summary>
    private async Task SeedAsync()
    {
        await UploadAsync("/file.txt", "0123456789");
        await Fs.CreateDirectoryAsync(P("/dir"), default);
        await UploadAsync("/dir/inner.txt", "x");
        await Fs.CreateDirectoryAsync(P("/dir/sub"), default);
        await Fs.CreateDirectoryAsync(P("/empty"), default);
    }

    private async Task<long?> UploadAsync(string path, string content, long keep = 0)
    {
        await using var upload = await Fs.BeginUploadAsync(P(path), keep, default);
        await upload.Content.WriteAsync(Encoding.UTF8.GetBytes(content));
        return (await upload.CommitAsync(default)).Replaced;
    }

    private async Task<string> ReadAsync(string path, long offset = 0)
    {
        await using var stream = await Fs.OpenReadAsync(P(path), offset, default);
        return await ReadToEndAsync(stream);
    }

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private async Task<FileSystemEntry> EntryAsync(string path) =>
        await Fs.GetEntryAsync(P(path), default) ?? throw new InvalidOperationException($"{path} has no entry.");

    private async Task<string[]> NamesAsync(string directory) =>
        [.. (await Fs.ListAsync(P(directory), default)).Select(entry => entry.Name).Order(StringComparer.Ordinal)];

    private static async Task AssertRefusedAsync(FileSystemError expected, Func<Task> operation)
    {
        var error = await Assert.ThrowsAsync<FileSystemException>(operation);
        Assert.Equal(expected, error.Error);
    }

    private void AssertIsNow(DateTimeOffset date)
    {
        var now = Clock.GetUtcNow();
        Assert.InRange(date, now - Tolerance, now + Tolerance);
    }

    /// <summary>Every entry under the home, with what a client could learn of it: what a refused operation must leave as it was.</summary>
    private async Task<List<string>> DescribeTreeAsync(string directory = "/")
    {
        var lines = new List<string>();
        foreach (var entry in (await Fs.ListAsync(P(directory), default)).OrderBy(entry => entry.Name, StringComparer.Ordinal))
        {
            var path = directory == "/" ? "/" + entry.Name : directory + "/" + entry.Name;
            var content = entry.IsDirectory ? "" : await ReadAsync(path);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{path} {entry.IsDirectory} {entry.Size} {entry.LastModified:O} {entry.UniqueId} {content}"));
            if (entry.IsDirectory)
            {
                lines.AddRange(await DescribeTreeAsync(path));
            }
        }

        return lines;
    }

    /// <summary>
    /// Does one operation given as its method's name and arguments: "List /dir" (and reads the listing),
    /// "OpenRead /file.txt 3", "BeginUpload /a 4" (disposed without commit), "Upload /a 4" (writes "+" and commits),
    /// "CreateDirectory /d", "DeleteFile /a", "RemoveDirectory /d", "CheckRenameSource /a", "Rename /a /b",
    /// "SetLastModified /a" (to <see cref="LongAgo"/>).
    /// </summary>
    private async Task PerformAsync(string operation)
    {
        var words = operation.Split(' ');
        var path = P(words[1]);
        long Number() => words.Length > 2 ? long.Parse(words[2], CultureInfo.InvariantCulture) : 0;
        switch (words[0])
        {
            case "List":
                _ = (await Fs.ListAsync(path, default)).ToList();
                break;
            case "OpenRead":
                await (await Fs.OpenReadAsync(path, Number(), default)).DisposeAsync();
                break;
            case "BeginUpload":
                await (await Fs.BeginUploadAsync(path, Number(), default)).DisposeAsync();
                break;
            case "Upload":
                await UploadAsync(words[1], "+", Number());
                break;
            case "CreateDirectory":
                await Fs.CreateDirectoryAsync(path, default);
                break;
            case "DeleteFile":
                await Fs.DeleteFileAsync(path, default);
                break;
            case "RemoveDirectory":
                await Fs.RemoveDirectoryAsync(path, default);
                break;
            case "CheckRenameSource":
                await Fs.CheckRenameSourceAsync(path, default);
                break;
            case "Rename":
                await Fs.RenameAsync(path, P(words[2]), default);
                break;
            case "SetLastModified":
                await Fs.SetLastModifiedAsync(path, LongAgo, default);
                break;
            default:
                throw new ArgumentException($"Unknown operation in '{operation}'.", nameof(operation));
        }
    }

    public static TheoryData<string, FileSystemError> Refusals => new()
    {
        { "List /nowhere", FileSystemError.NotFound },
        { "List /file.txt", FileSystemError.NotADirectory },
        { "List /file.txt/below", FileSystemError.NotFound },
        { "List /nowhere/below", FileSystemError.NotFound },

        { "OpenRead /nowhere", FileSystemError.NotFound },
        { "OpenRead /dir", FileSystemError.IsADirectory },
        { "OpenRead /", FileSystemError.IsADirectory },
        { "OpenRead /file.txt/below", FileSystemError.NotFound },
        { "OpenRead /file.txt 11", FileSystemError.OffsetBeyondEnd },
        { "OpenRead /file.txt 9223372036854775807", FileSystemError.OffsetBeyondEnd },

        { "BeginUpload /", FileSystemError.IsADirectory },
        { "BeginUpload /dir", FileSystemError.IsADirectory },
        { "BeginUpload /nowhere/new", FileSystemError.NotFound },
        { "BeginUpload /file.txt/new", FileSystemError.NotADirectory },
        { "BeginUpload /file.txt/below/new", FileSystemError.NotFound },
        { "BeginUpload /nowhere 1", FileSystemError.NotFound },
        { "BeginUpload /file.txt 11", FileSystemError.OffsetBeyondEnd },
        { "BeginUpload /file.txt 9223372036854775807", FileSystemError.OffsetBeyondEnd },

        { "CreateDirectory /", FileSystemError.IsADirectory },
        { "CreateDirectory /file.txt", FileSystemError.AlreadyExists },
        { "CreateDirectory /dir", FileSystemError.AlreadyExists },
        { "CreateDirectory /nowhere/new", FileSystemError.NotFound },
        { "CreateDirectory /file.txt/new", FileSystemError.NotADirectory },
        { "CreateDirectory /file.txt/below/new", FileSystemError.NotFound },

        { "DeleteFile /", FileSystemError.IsADirectory },
        { "DeleteFile /dir", FileSystemError.IsADirectory },
        { "DeleteFile /empty", FileSystemError.IsADirectory },
        { "DeleteFile /nowhere", FileSystemError.NotFound },
        { "DeleteFile /nowhere/below", FileSystemError.NotFound },
        { "DeleteFile /file.txt/below", FileSystemError.NotFound },

        { "RemoveDirectory /", FileSystemError.PermissionDenied },
        { "RemoveDirectory /file.txt", FileSystemError.NotADirectory },
        { "RemoveDirectory /nowhere", FileSystemError.NotFound },
        { "RemoveDirectory /nowhere/below", FileSystemError.NotFound },
        { "RemoveDirectory /file.txt/below", FileSystemError.NotFound },
        { "RemoveDirectory /dir", FileSystemError.DirectoryNotEmpty },

        { "CheckRenameSource /", FileSystemError.PermissionDenied },
        { "CheckRenameSource /nowhere", FileSystemError.NotFound },
        { "CheckRenameSource /nowhere/below", FileSystemError.NotFound },
        { "CheckRenameSource /file.txt/below", FileSystemError.NotFound },

        { "Rename / /new", FileSystemError.PermissionDenied },
        { "Rename /nowhere /new", FileSystemError.NotFound },
        { "Rename /nowhere /", FileSystemError.NotFound },
        { "Rename /file.txt/below /new", FileSystemError.NotFound },
        { "Rename /file.txt /", FileSystemError.IsADirectory },
        { "Rename /file.txt /nowhere/new", FileSystemError.NotFound },
        { "Rename /file.txt /file.txt/new", FileSystemError.NotADirectory },
        { "Rename /file.txt /dir", FileSystemError.IsADirectory },
        { "Rename /file.txt /empty", FileSystemError.IsADirectory },
        { "Rename /dir /file.txt", FileSystemError.AlreadyExists },
        { "Rename /dir /empty", FileSystemError.AlreadyExists },
        { "Rename /dir /dir", FileSystemError.AlreadyExists },
        { "Rename /dir /dir/new", FileSystemError.InvalidName },
        { "Rename /dir /dir/sub/new", FileSystemError.InvalidName },
        { "Rename /dir /dir/nowhere/new", FileSystemError.NotFound },
        { "Rename /dir /file.txt/new", FileSystemError.NotADirectory },

        { "SetLastModified /nowhere", FileSystemError.NotFound },
        { "SetLastModified /file.txt/below", FileSystemError.NotFound },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_operation_gives_its_error_kind_and_changes_nothing(string operation, FileSystemError expected)
    {
        await SeedAsync();
        var before = await DescribeTreeAsync();
        await AssertRefusedAsync(expected, () => PerformAsync(operation));
        Assert.Equal(before, await DescribeTreeAsync());
    }

    [Fact]
    public async Task Entries_describe_files_directories_and_the_home()
    {
        await SeedAsync();
        var file = await EntryAsync("/file.txt");
        var directory = await EntryAsync("/dir");
        var home = await EntryAsync("/");

        Assert.Equal(("file.txt", false, 10L), (file.Name, file.IsDirectory, file.Size));
        Assert.Equal(("dir", true, 0L), (directory.Name, directory.IsDirectory, directory.Size));
        Assert.Equal(("/", true, 0L), (home.Name, home.IsDirectory, home.Size));
        Assert.All(new[] { file, directory, home }, entry =>
        {
            AssertIsNow(entry.LastModified);
            Assert.Equal(TimeSpan.Zero, entry.LastModified.Offset);
            Assert.False(string.IsNullOrEmpty(entry.UniqueId));
        });
        Assert.Equal(3, new[] { file.UniqueId, directory.UniqueId, home.UniqueId }.Distinct().Count());
    }

    [Fact]
    public async Task A_missing_path_or_one_through_a_file_has_no_entry()
    {
        await SeedAsync();
        Assert.Null(await Fs.GetEntryAsync(P("/nowhere"), default));
        Assert.Null(await Fs.GetEntryAsync(P("/nowhere/below"), default));
        Assert.Null(await Fs.GetEntryAsync(P("/file.txt/below"), default));
    }

    [Fact]
    public async Task A_listing_holds_the_entries_directly_inside_and_names_differ_by_case()
    {
        await SeedAsync();
        await UploadAsync("/File.txt", "upper");

        var listed = (await Fs.ListAsync(VirtualPath.Root, default)).OrderBy(entry => entry.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["File.txt", "dir", "empty", "file.txt"], listed.Select(entry => entry.Name));
        foreach (var entry in listed)
        {
            Assert.Equal(await EntryAsync("/" + entry.Name), entry);
        }

        Assert.Equal(["inner.txt", "sub"], await NamesAsync("/dir"));
        Assert.Empty(await NamesAsync("/empty"));
        Assert.Equal("upper", await ReadAsync("/File.txt"));
        Assert.Equal("0123456789", await ReadAsync("/file.txt"));
    }

    [Fact]
    public async Task A_listing_is_read_when_enumerated()
    {
        await SeedAsync();
        var grown = await Fs.ListAsync(P("/empty"), default);
        await UploadAsync("/empty/late.txt", "late");
        Assert.Equal(["late.txt"], grown.Select(entry => entry.Name));

        var removed = await Fs.ListAsync(P("/dir/sub"), default);
        await Fs.RemoveDirectoryAsync(P("/dir/sub"), default);
        Assert.Equal(FileSystemError.NotFound, Assert.Throws<FileSystemException>(() => removed.ToList()).Error);

        var replaced = await Fs.ListAsync(P("/empty"), default);
        await Fs.RenameAsync(P("/empty"), P("/moved"), default);
        await UploadAsync("/empty", "now a file");
        Assert.Equal(FileSystemError.NotFound, Assert.Throws<FileSystemException>(() => replaced.ToList()).Error);
    }

    [Fact]
    public async Task Reading_starts_at_the_offset_and_the_stream_knows_the_whole_length()
    {
        await SeedAsync();
        Assert.Equal("0123456789", await ReadAsync("/file.txt"));
        Assert.Equal("3456789", await ReadAsync("/file.txt", 3));
        Assert.Equal("", await ReadAsync("/file.txt", 10));

        await using var stream = await Fs.OpenReadAsync(P("/file.txt"), 3, default);
        Assert.Equal((10L, 3L, true, false), (stream.Length, stream.Position, stream.CanRead, stream.CanWrite));
    }

    [Fact]
    public async Task An_offset_beyond_the_end_is_refused_with_the_size_and_a_read_from_below_zero_is_the_callers_bug()
    {
        await SeedAsync();
        var reading = await Assert.ThrowsAsync<FileSystemException>(async () => await Fs.OpenReadAsync(P("/file.txt"), 11, default));
        var resuming = await Assert.ThrowsAsync<FileSystemException>(async () => await Fs.BeginUploadAsync(P("/file.txt"), 11, default));
        Assert.All([reading, resuming], refusal => Assert.Equal(
            (FileSystemError.OffsetBeyondEnd, "Restart offset 11 is beyond the end of /file.txt (10 bytes)."), (refusal.Error, refusal.Message)));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Fs.OpenReadAsync(P("/file.txt"), -1, default));
        Assert.Equal("0123456789", await ReadAsync("/file.txt"));
    }

    [Fact]
    public async Task An_open_reader_keeps_what_it_opened_when_the_file_is_replaced_or_deleted()
    {
        await SeedAsync();
        await using var beforeReplacement = await Fs.OpenReadAsync(P("/file.txt"), 2, default);
        await UploadAsync("/file.txt", "version 2");
        await using var beforeDeletion = await Fs.OpenReadAsync(P("/file.txt"), 0, default);
        await Fs.DeleteFileAsync(P("/file.txt"), default);

        Assert.Equal("23456789", await ReadToEndAsync(beforeReplacement));
        Assert.Equal("version 2", await ReadToEndAsync(beforeDeletion));
        Assert.Null(await Fs.GetEntryAsync(P("/file.txt"), default));
    }

    [Fact]
    public async Task An_upload_is_hidden_until_its_commit_which_says_what_it_replaced()
    {
        await SeedAsync();
        await using (var created = await Fs.BeginUploadAsync(P("/dir/new.txt"), 0, default))
        {
            await created.Content.WriteAsync("new"u8.ToArray());
            Assert.Null(await Fs.GetEntryAsync(P("/dir/new.txt"), default));
            Assert.Equal(["inner.txt", "sub"], await NamesAsync("/dir"));
            Assert.Null((await created.CommitAsync(default)).Replaced);
        }

        await using (var replacing = await Fs.BeginUploadAsync(P("/file.txt"), 0, default))
        {
            await replacing.Content.WriteAsync("abc"u8.ToArray());
            Assert.Equal(10, (await EntryAsync("/file.txt")).Size);
            Assert.Equal("0123456789", await ReadAsync("/file.txt"));
            Assert.Equal(10, (await replacing.CommitAsync(default)).Replaced);
        }

        Assert.Equal("new", await ReadAsync("/dir/new.txt"));
        Assert.Equal("abc", await ReadAsync("/file.txt"));
        Assert.Equal(3, (await EntryAsync("/file.txt")).Size);
    }

    [Fact]
    public async Task An_upload_disposed_without_commit_leaves_the_previous_version_or_nothing()
    {
        await SeedAsync();
        var previous = await EntryAsync("/file.txt");
        await using (var replacing = await Fs.BeginUploadAsync(P("/file.txt"), 0, default))
        {
            await replacing.Content.WriteAsync("abc"u8.ToArray());
        }

        await using (var creating = await Fs.BeginUploadAsync(P("/empty/new.txt"), 0, default))
        {
            await creating.Content.WriteAsync("abc"u8.ToArray());
        }

        Assert.Equal(previous, await EntryAsync("/file.txt"));
        Assert.Equal("0123456789", await ReadAsync("/file.txt"));
        Assert.Null(await Fs.GetEntryAsync(P("/empty/new.txt"), default));
        Assert.Equal(["dir", "empty", "file.txt"], await NamesAsync("/"));
        await Fs.RemoveDirectoryAsync(P("/empty"), default);
    }

    [Fact]
    public async Task Kept_bytes_come_first_and_the_upload_stream_counts_from_them()
    {
        await SeedAsync();
        await using (var resumed = await Fs.BeginUploadAsync(P("/file.txt"), 4, default))
        {
            Assert.Equal((false, false, true), (resumed.Content.CanRead, resumed.Content.CanSeek, resumed.Content.CanWrite));
            Assert.Equal(4, resumed.Content.Position);
            await resumed.Content.WriteAsync("abc"u8.ToArray());
            Assert.Equal((7L, 7L), (resumed.Content.Position, resumed.Content.Length));
            Assert.Equal(10, (await resumed.CommitAsync(default)).Replaced);
        }

        Assert.Equal("0123abc", await ReadAsync("/file.txt"));
        await UploadAsync("/file.txt", "+appended", keep: 7);
        Assert.Equal("0123abc+appended", await ReadAsync("/file.txt"));
        await UploadAsync("/file.txt", "negative keeps nothing", keep: -3);
        Assert.Equal("negative keeps nothing", await ReadAsync("/file.txt"));
    }

    [Fact]
    public async Task The_kept_bytes_are_taken_when_the_upload_begins()
    {
        await SeedAsync();
        await using var resumed = await Fs.BeginUploadAsync(P("/file.txt"), 4, default);
        await UploadAsync("/file.txt", "replaced meanwhile");
        await resumed.Content.WriteAsync("!"u8.ToArray());
        Assert.Equal("replaced meanwhile".Length, (await resumed.CommitAsync(default)).Replaced);
        Assert.Equal("0123!", await ReadAsync("/file.txt"));
    }

    [Fact]
    public async Task A_commit_takes_the_name_as_it_finds_it_at_the_end()
    {
        await SeedAsync();
        await using var first = await Fs.BeginUploadAsync(P("/file.txt"), 0, default);
        await using var second = await Fs.BeginUploadAsync(P("/file.txt"), 0, default);
        await first.Content.WriteAsync("first"u8.ToArray());
        await second.Content.WriteAsync("second!"u8.ToArray());
        Assert.Equal(10, (await first.CommitAsync(default)).Replaced);
        Assert.Equal(5, (await second.CommitAsync(default)).Replaced);
        Assert.Equal("second!", await ReadAsync("/file.txt"));

        await using var recreated = await Fs.BeginUploadAsync(P("/file.txt"), 0, default);
        await Fs.DeleteFileAsync(P("/file.txt"), default);
        Assert.Null((await recreated.CommitAsync(default)).Replaced);
        Assert.Equal("", await ReadAsync("/file.txt"));
    }

    [Fact]
    public async Task A_commit_never_replaces_a_directory_that_appeared_meanwhile()
    {
        await SeedAsync();
        await using (var upload = await Fs.BeginUploadAsync(P("/report.csv"), 0, default))
        {
            await upload.Content.WriteAsync(new byte[5]);
            await Fs.CreateDirectoryAsync(P("/report.csv"), default);
            await UploadAsync("/report.csv/inside.txt", "inside");
            await AssertRefusedAsync(FileSystemError.IsADirectory, async () => await upload.CommitAsync(default));
        }

        Assert.Equal(["inside.txt"], await NamesAsync("/report.csv"));
        Assert.True((await EntryAsync("/report.csv")).IsDirectory);
    }

    [Fact]
    public async Task After_its_commit_an_upload_takes_no_more_writes_and_no_second_commit()
    {
        await SeedAsync();
        await using var upload = await Fs.BeginUploadAsync(P("/file.txt"), 0, default);
        await upload.CommitAsync(default);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await upload.Content.WriteAsync("late"u8.ToArray()));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await upload.CommitAsync(default));
        Assert.Equal("", await ReadAsync("/file.txt"));
    }

    [Fact]
    public async Task An_upload_in_progress_dates_its_directory_and_keeps_it_from_being_removed()
    {
        // On the disk, its hidden file is in the directory from the start of the upload to its end: it dates the
        // directory at both.
        await SeedAsync();
        await Fs.SetLastModifiedAsync(P("/empty"), LongAgo, default);
        await using (var upload = await Fs.BeginUploadAsync(P("/empty/new.txt"), 0, default))
        {
            AssertIsNow((await EntryAsync("/empty")).LastModified);
            Assert.Empty(await NamesAsync("/empty"));
            await AssertRefusedAsync(FileSystemError.DirectoryNotEmpty, () => PerformAsync("RemoveDirectory /empty"));
            await Fs.SetLastModifiedAsync(P("/empty"), LongAgo, default);
        }

        AssertIsNow((await EntryAsync("/empty")).LastModified);
        await Fs.RemoveDirectoryAsync(P("/empty"), default);
    }

    [Fact]
    public async Task An_upload_whose_directory_moved_meanwhile_cannot_commit_and_leaves_that_directory_unremovable()
    {
        // On the disk the hidden file of the upload moves with its directory: the commit looks for it under the old
        // path, and so does the clean-up, which leaves it behind for good.
        await SeedAsync();
        await using (var upload = await Fs.BeginUploadAsync(P("/empty/new.txt"), 0, default))
        {
            await upload.Content.WriteAsync("lost"u8.ToArray());
            await Fs.RenameAsync(P("/empty"), P("/moved"), default);
            await AssertRefusedAsync(FileSystemError.IoError, async () => await upload.CommitAsync(default));
        }

        Assert.Empty(await NamesAsync("/moved"));
        await AssertRefusedAsync(FileSystemError.DirectoryNotEmpty, () => PerformAsync("RemoveDirectory /moved"));
        await Fs.RenameAsync(P("/moved"), P("/empty"), default);
        await AssertRefusedAsync(FileSystemError.DirectoryNotEmpty, () => PerformAsync("RemoveDirectory /empty"));
    }

    [Fact]
    public async Task An_upload_whose_directory_moved_back_before_the_commit_commits()
    {
        await SeedAsync();
        await using (var upload = await Fs.BeginUploadAsync(P("/empty/new.txt"), 0, default))
        {
            await upload.Content.WriteAsync("back"u8.ToArray());
            await Fs.RenameAsync(P("/empty"), P("/moved"), default);
            await Fs.RenameAsync(P("/moved"), P("/empty"), default);
            Assert.Null((await upload.CommitAsync(default)).Replaced);
        }

        Assert.Equal("back", await ReadAsync("/empty/new.txt"));
    }

    [Fact]
    public async Task A_file_is_dated_by_its_last_write_not_by_its_commit()
    {
        await SeedAsync();
        await using (var upload = await Fs.BeginUploadAsync(P("/dated.txt"), 0, default))
        {
            await upload.Content.WriteAsync("x"u8.ToArray());
            await LetTimePassAsync(3 * Tolerance);
            await upload.Content.WriteAsync(ReadOnlyMemory<byte>.Empty);
            await upload.CommitAsync(default);
        }

        var dated = (await EntryAsync("/dated.txt")).LastModified;
        Assert.True(dated < Clock.GetUtcNow() - 2 * Tolerance, $"{dated:O} is the commit's time, not the write's.");

        await using (var empty = await Fs.BeginUploadAsync(P("/empty.txt"), 0, default))
        {
            await empty.CommitAsync(default);
        }

        AssertIsNow((await EntryAsync("/empty.txt")).LastModified);
    }

    [Fact]
    public async Task Keeping_all_of_a_file_without_writing_keeps_its_date_while_cutting_it_short_or_writing_dates_it_now()
    {
        await SeedAsync();
        await Fs.SetLastModifiedAsync(P("/file.txt"), LongAgo, default);
        await using (var untouched = await Fs.BeginUploadAsync(P("/file.txt"), 10, default))
        {
            Assert.Equal(10, (await untouched.CommitAsync(default)).Replaced);
        }

        Assert.Equal(LongAgo, (await EntryAsync("/file.txt")).LastModified);
        await using (var cut = await Fs.BeginUploadAsync(P("/file.txt"), 4, default))
        {
            await cut.CommitAsync(default);
        }

        AssertIsNow((await EntryAsync("/file.txt")).LastModified);
        await Fs.SetLastModifiedAsync(P("/file.txt"), LongAgo, default);
        await UploadAsync("/file.txt", "more", keep: 4);
        AssertIsNow((await EntryAsync("/file.txt")).LastModified);
    }

    [Theory]
    [InlineData("/file.txt")]
    [InlineData("/dir")]
    [InlineData("/")]
    public async Task A_date_set_is_kept_to_the_tick_and_told_in_UTC(string path)
    {
        await SeedAsync();
        var date = LongAgo.ToOffset(TimeSpan.FromHours(2));
        await Fs.SetLastModifiedAsync(P(path), date, default);

        var kept = (await EntryAsync(path)).LastModified;
        Assert.Equal(date, kept);
        Assert.Equal(TimeSpan.Zero, kept.Offset);
        Assert.Equal(date.UtcTicks, kept.UtcTicks);
    }

    public static TheoryData<string, string, bool> DirectoryDates => new()
    {
        { "CreateDirectory /dir/new", "/dir", true },
        { "DeleteFile /dir/inner.txt", "/dir", true },
        { "RemoveDirectory /dir/sub", "/dir", true },
        { "Rename /dir/inner.txt /dir/renamed.txt", "/dir", true },
        { "Rename /dir/inner.txt /empty/moved.txt", "/dir", true },
        { "Rename /dir/inner.txt /empty/moved.txt", "/empty", true },
        { "Rename /file.txt /dir/inner.txt", "/dir", true },
        { "Rename /dir/sub /empty/sub", "/empty", true },
        { "Upload /dir/inner.txt", "/dir", true },
        { "Upload /dir/new.txt", "/dir", true },
        { "BeginUpload /dir/new.txt", "/dir", true },
        { "Upload /file.txt", "/", true },
        { "Upload /dir/inner.txt", "/", false },
        { "CreateDirectory /dir/sub/deeper", "/dir", false },
        { "SetLastModified /dir/inner.txt", "/dir", false },
        { "SetLastModified /dir", "/", false },
        { "OpenRead /dir/inner.txt", "/dir", false },
        { "List /dir", "/dir", false },
        { "CheckRenameSource /dir/inner.txt", "/dir", false },
        { "Rename /dir/inner.txt /dir/inner.txt", "/dir", false },
    };

    [Theory]
    [MemberData(nameof(DirectoryDates))]
    public async Task A_directory_is_dated_by_the_last_change_of_its_names(string operation, string directory, bool dated)
    {
        await SeedAsync();
        await Fs.SetLastModifiedAsync(P(directory), LongAgo, default);
        await PerformAsync(operation);

        var date = (await EntryAsync(directory)).LastModified;
        if (dated)
        {
            AssertIsNow(date);
        }
        else
        {
            Assert.Equal(LongAgo, date);
        }
    }

    [Fact]
    public async Task Renaming_keeps_the_date_and_identity_of_what_moves_and_an_upload_makes_a_new_identity()
    {
        await SeedAsync();
        await Fs.SetLastModifiedAsync(P("/file.txt"), LongAgo, default);
        await Fs.SetLastModifiedAsync(P("/dir"), LongAgo, default);
        var file = await EntryAsync("/file.txt");
        var directory = await EntryAsync("/dir");
        var inner = await EntryAsync("/dir/inner.txt");

        await Fs.RenameAsync(P("/file.txt"), P("/empty/renamed.txt"), default);
        await Fs.RenameAsync(P("/dir"), P("/empty/dir"), default);

        Assert.Equal(file with { Name = "renamed.txt" }, await EntryAsync("/empty/renamed.txt"));
        Assert.Equal(directory, await EntryAsync("/empty/dir"));
        Assert.Equal(inner, await EntryAsync("/empty/dir/inner.txt"));

        await UploadAsync("/empty/renamed.txt", "new version");
        Assert.NotEqual(file.UniqueId, (await EntryAsync("/empty/renamed.txt")).UniqueId);
    }

    [Fact]
    public async Task Directories_are_made_and_removed()
    {
        await SeedAsync();
        await Fs.CreateDirectoryAsync(P("/dir/sub/deeper"), default);
        var made = await EntryAsync("/dir/sub/deeper");
        Assert.Equal(("deeper", true, 0L), (made.Name, made.IsDirectory, made.Size));
        AssertIsNow(made.LastModified);
        await AssertRefusedAsync(FileSystemError.DirectoryNotEmpty, () => PerformAsync("RemoveDirectory /dir/sub"));

        await Fs.RemoveDirectoryAsync(P("/dir/sub/deeper"), default);
        await Fs.RemoveDirectoryAsync(P("/dir/sub"), default);
        Assert.Equal(["inner.txt"], await NamesAsync("/dir"));
        Assert.Null(await Fs.GetEntryAsync(P("/dir/sub"), default));
    }

    [Fact]
    public async Task Files_are_deleted()
    {
        await SeedAsync();
        await Fs.DeleteFileAsync(P("/dir/inner.txt"), default);
        Assert.Null(await Fs.GetEntryAsync(P("/dir/inner.txt"), default));
        Assert.Equal(["sub"], await NamesAsync("/dir"));
        await AssertRefusedAsync(FileSystemError.NotFound, () => PerformAsync("DeleteFile /dir/inner.txt"));
    }

    [Fact]
    public async Task Checking_a_rename_source_accepts_files_and_directories_and_changes_nothing()
    {
        await SeedAsync();
        var before = await DescribeTreeAsync();
        await Fs.CheckRenameSourceAsync(P("/file.txt"), default);
        await Fs.CheckRenameSourceAsync(P("/dir"), default);
        await Fs.CheckRenameSourceAsync(P("/dir/sub"), default);
        Assert.Equal(before, await DescribeTreeAsync());
    }

    [Fact]
    public async Task Renaming_moves_directories_with_their_content_and_files_onto_files()
    {
        await SeedAsync();
        await Fs.RenameAsync(P("/dir"), P("/empty/dir"), default);
        Assert.Equal(["inner.txt", "sub"], await NamesAsync("/empty/dir"));
        Assert.Equal("x", await ReadAsync("/empty/dir/inner.txt"));
        Assert.Null(await Fs.GetEntryAsync(P("/dir"), default));

        await Fs.RenameAsync(P("/file.txt"), P("/empty/dir/inner.txt"), default);
        Assert.Equal("0123456789", await ReadAsync("/empty/dir/inner.txt"));
        Assert.Equal(["empty"], await NamesAsync("/"));

        var before = await DescribeTreeAsync();
        await Fs.RenameAsync(P("/empty/dir/inner.txt"), P("/empty/dir/inner.txt"), default);
        Assert.Equal(before, await DescribeTreeAsync());
    }
}

public sealed class LocalFileSystemContractTests : FileSystemContractTests
{
    private readonly string _home;

    public LocalFileSystemContractTests()
        : this(Directory.CreateTempSubdirectory("gatehouse-contract-").FullName)
    {
    }

    private LocalFileSystemContractTests(string home)
        : base(new LocalFileSystem(home), TimeProvider.System) => _home = home;

    protected override Task LetTimePassAsync(TimeSpan time) => Task.Delay(time);

    public override void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        base.Dispose();
    }
}

public sealed class MemoryFileSystemContractTests : FileSystemContractTests
{
    private readonly ManualClock _clock;

    public MemoryFileSystemContractTests()
        : this(new ManualClock())
    {
    }

    private MemoryFileSystemContractTests(ManualClock clock)
        : base(new MemoryFileSystem(clock), clock) => _clock = clock;

    protected override Task LetTimePassAsync(TimeSpan time)
    {
        _clock.Advance(time);
        return Task.CompletedTask;
    }
}

/// <summary>What only <see cref="MemoryFileSystem"/> has: its clock and its helpers for tests.</summary>
public sealed class MemoryFileSystemTests
{
    private readonly ManualClock _clock = new();
    private readonly MemoryFileSystem _fs;

    public MemoryFileSystemTests() => _fs = new MemoryFileSystem(_clock);

    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    [Fact]
    public async Task Dates_come_from_the_clock_it_was_given()
    {
        var start = _clock.GetUtcNow();
        Assert.Equal(start, (await _fs.GetEntryAsync(VirtualPath.Root, default))!.LastModified);

        _clock.Advance(TimeSpan.FromMinutes(5));
        await using (var upload = await _fs.BeginUploadAsync(P("/a.txt"), 0, default))
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await upload.Content.WriteAsync("a"u8.ToArray());
            _clock.Advance(TimeSpan.FromMinutes(1));
            await upload.CommitAsync(default);
        }

        Assert.Equal(start.AddMinutes(6), (await _fs.GetEntryAsync(P("/a.txt"), default))!.LastModified);
        Assert.Equal(start.AddMinutes(7), (await _fs.GetEntryAsync(VirtualPath.Root, default))!.LastModified);
    }

    [Fact]
    public async Task Helpers_add_files_and_directories_that_the_interface_sees()
    {
        _fs.AddFile("/deep/down/a.txt", "hello");
        _fs.AddFile("/b.bin", [1, 2, 3], modified: new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)));
        _fs.AddDirectory("/deep/other/empty");

        Assert.Equal("hello", _fs.ReadText("/deep/down/a.txt"));
        Assert.Equal(new byte[] { 1, 2, 3 }, _fs.ReadFile("/b.bin"));
        Assert.True(_fs.Exists("/deep/other/empty"));
        Assert.False(_fs.Exists("/deep/nowhere"));
        Assert.Equal(["down", "other"], (await _fs.ListAsync(P("/deep"), default)).Select(entry => entry.Name));
        var entry = (await _fs.GetEntryAsync(P("/b.bin"), default))!;
        Assert.Equal((3L, new DateTimeOffset(2020, 1, 2, 2, 4, 5, TimeSpan.Zero), TimeSpan.Zero), (entry.Size, entry.LastModified, entry.LastModified.Offset));

        await using var stream = await _fs.OpenReadAsync(P("/deep/down/a.txt"), 1, default);
        Assert.Equal("ello", await new StreamReader(stream).ReadToEndAsync());
    }

    [Fact]
    public async Task Helpers_see_an_upload_only_once_committed_and_replace_files()
    {
        await using (var upload = await _fs.BeginUploadAsync(P("/up.txt"), 0, default))
        {
            await upload.Content.WriteAsync("up"u8.ToArray());
            Assert.False(_fs.Exists("/up.txt"));
            await upload.CommitAsync(default);
        }

        Assert.Equal("up", _fs.ReadText("/up.txt"));
        _fs.AddFile("/up.txt", "replaced");
        Assert.Equal("replaced", _fs.ReadText("/up.txt"));
        Assert.Throws<FileSystemException>(() => _fs.AddFile("/up.txt/below", "x"));
        Assert.Throws<FileSystemException>(() => _fs.ReadFile("/nowhere"));
    }

    [Fact]
    public async Task Listings_come_in_ordinal_name_order()
    {
        _fs.AddFile("/b", "");
        _fs.AddFile("/a", "");
        _fs.AddFile("/B", "");
        _fs.AddDirectory("/_");
        Assert.Equal(["B", "_", "a", "b"], (await _fs.ListAsync(VirtualPath.Root, default)).Select(entry => entry.Name));
    }
}

/// <summary>A clock the test moves by hand, far from the real date so that a date taken from the real clock shows.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2031, 7, 8, 9, 10, 11, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
