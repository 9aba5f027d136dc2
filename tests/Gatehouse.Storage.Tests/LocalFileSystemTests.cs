using System.Text;
using Gatehouse.Storage.Local;

namespace Gatehouse.Storage.Tests;

public sealed class LocalFileSystemTests : IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("gatehouse-storage-").FullName;
    private readonly string _home;
    private readonly string _outside;
    private readonly LocalFileSystem _fs;

    public LocalFileSystemTests()
    {
        _home = Path.Combine(_sandbox, "home");
        _outside = Path.Combine(_sandbox, "outside");
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "secret");
        _fs = new LocalFileSystem(_home);
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    private async Task UploadAsync(string path, string content, long keep = 0)
    {
        await using var upload = await _fs.BeginUploadAsync(P(path), keep, default);
        await upload.Content.WriteAsync(Encoding.UTF8.GetBytes(content));
        await upload.CommitAsync(default);
    }

    private async Task<string> ReadAsync(string path, long offset = 0)
    {
        await using var stream = await _fs.OpenReadAsync(P(path), offset, default);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task A_commit_says_what_it_replaced_and_never_replaces_a_directory_that_appeared_meanwhile()
    {
        await using (var first = await _fs.BeginUploadAsync(P("/report.csv"), 0, default))
        {
            await first.Content.WriteAsync(new byte[300]);
            Assert.Null((await first.CommitAsync(default)).Replaced);
        }

        await using (var second = await _fs.BeginUploadAsync(P("/report.csv"), 0, default))
        {
            await second.Content.WriteAsync(new byte[20]);
            Assert.Equal(300, (await second.CommitAsync(default)).Replaced);
        }

        await using var third = await _fs.BeginUploadAsync(P("/report.csv"), 0, default);
        await third.Content.WriteAsync(new byte[5]);
        File.Delete(Path.Combine(_home, "report.csv"));
        Directory.CreateDirectory(Path.Combine(_home, "report.csv", "inside"));
        var error = await Assert.ThrowsAsync<FileSystemException>(async () => await third.CommitAsync(default));
        Assert.Equal(FileSystemError.IsADirectory, error.Error);
        Assert.True(Directory.Exists(Path.Combine(_home, "report.csv", "inside")));
        await third.DisposeAsync();
        Assert.Equal(["report.csv"], Directory.GetFileSystemEntries(_home).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Committed_upload_appears_under_its_name()
    {
        await UploadAsync("/a.txt", "hello");
        Assert.Equal("hello", await ReadAsync("/a.txt"));
        var entry = await _fs.GetEntryAsync(P("/a.txt"), default);
        Assert.NotNull(entry);
        Assert.Equal(5, entry.Size);
        Assert.False(string.IsNullOrEmpty(entry.UniqueId));
    }

    [Fact]
    public async Task Uncommitted_upload_leaves_the_previous_version_and_no_trace()
    {
        await UploadAsync("/a.txt", "version 1");
        await using (var upload = await _fs.BeginUploadAsync(P("/a.txt"), 0, default))
        {
            await upload.Content.WriteAsync(Encoding.UTF8.GetBytes("half of version"));
            Assert.Equal("version 1", await ReadAsync("/a.txt"));
        }

        Assert.Equal("version 1", await ReadAsync("/a.txt"));
        Assert.Equal(["a.txt"], Directory.GetFiles(_home).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Upload_over_an_existing_file_replaces_it_while_an_open_reader_keeps_the_old_content()
    {
        await UploadAsync("/a.txt", "version 1");
        await using var reader = await _fs.OpenReadAsync(P("/a.txt"), 0, default);
        await UploadAsync("/a.txt", "version 2, longer");

        Assert.Equal("version 2, longer", await ReadAsync("/a.txt"));
        using var old = new StreamReader(reader);
        Assert.Equal("version 1", await old.ReadToEndAsync());
        Assert.Equal(["a.txt"], Directory.GetFiles(_home).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Upload_through_a_symbolic_link_inside_the_home_replaces_its_target_and_keeps_the_link()
    {
        await UploadAsync("/target.txt", "target");
        File.CreateSymbolicLink(Path.Combine(_home, "link.txt"), Path.Combine(_home, "target.txt"));
        await UploadAsync("/link.txt", "new");

        Assert.Equal("new", await ReadAsync("/target.txt"));
        Assert.NotNull(new FileInfo(Path.Combine(_home, "link.txt")).LinkTarget);
        Assert.Equal(["link.txt", "target.txt"], Directory.GetFiles(_home).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Aborted_new_upload_leaves_no_file_under_the_final_name()
    {
        await using (var upload = await _fs.BeginUploadAsync(P("/new.bin"), 0, default))
        {
            await upload.Content.WriteAsync(new byte[1000]);
        }

        Assert.Null(await _fs.GetEntryAsync(P("/new.bin"), default));
        Assert.Empty(Directory.GetFiles(_home));
    }

    [Fact]
    public async Task Resume_keeps_the_prefix_and_replaces_the_rest()
    {
        await UploadAsync("/r.txt", "0123456789");
        await UploadAsync("/r.txt", "abc", keep: 4);
        Assert.Equal("0123abc", await ReadAsync("/r.txt"));
        Assert.Equal("3abc", await ReadAsync("/r.txt", 3));
    }

    [Fact]
    public async Task A_large_upload_written_back_while_it_arrives_is_exact_and_resumes_at_its_end()
    {
        var content = new byte[5 * (1 << 20) + 12345];
        Random.Shared.NextBytes(content);
        await using (var upload = await _fs.BeginUploadAsync(P("/big.bin"), 0, default))
        {
            for (var offset = 0; offset < content.Length; offset += 300_000)
            {
                await upload.Content.WriteAsync(content.AsMemory(offset, Math.Min(300_000, content.Length - offset)));
            }

            Assert.Equal(content.Length, upload.Content.Position);
            await upload.CommitAsync(default);
        }

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_home, "big.bin")));
        await using (var resumed = await _fs.BeginUploadAsync(P("/big.bin"), content.Length, default))
        {
            Assert.Equal(content.Length, resumed.Content.Position);
            await resumed.Content.WriteAsync(content.AsMemory(0, 2 << 20));
            await resumed.CommitAsync(default);
        }

        Assert.Equal(content.Concat(content.Take(2 << 20)), await File.ReadAllBytesAsync(Path.Combine(_home, "big.bin")));
    }

    [Fact]
    public async Task Resume_beyond_the_end_is_refused()
    {
        await UploadAsync("/r.txt", "0123");
        var error = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.BeginUploadAsync(P("/r.txt"), 10, default));
        Assert.Contains("beyond the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symbolic_link_out_of_the_home_is_refused_and_hidden()
    {
        File.CreateSymbolicLink(Path.Combine(_home, "escape"), _outside);
        File.CreateSymbolicLink(Path.Combine(_home, "secret-link"), Path.Combine(_outside, "secret.txt"));
        var listed = await _fs.ListAsync(VirtualPath.Root, default);
        Assert.Empty(listed);
        await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.OpenReadAsync(P("/escape/secret.txt"), 0, default));
        await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.OpenReadAsync(P("/secret-link"), 0, default));
        var upload = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.BeginUploadAsync(P("/escape/new.txt"), 0, default));
        Assert.Equal(FileSystemError.OutsideHome, upload.Error);
        Assert.False(File.Exists(Path.Combine(_outside, "new.txt")));
    }

    [Fact]
    public async Task A_directory_removed_after_it_was_checked_fails_as_a_storage_error_while_it_is_read()
    {
        // A listing is checked before 150 and read while it is sent: an error of the read arrives during enumeration,
        // and must arrive as a FileSystemException (a storage reply), not as a raw runtime exception (an internal error).
        Directory.CreateDirectory(Path.Combine(_home, "gone"));
        File.WriteAllText(Path.Combine(_home, "gone", "f.txt"), "x");
        var listing = await _fs.ListAsync(P("/gone"), default);
        Directory.Delete(Path.Combine(_home, "gone"), recursive: true);

        var error = Assert.Throws<FileSystemException>(() => listing.ToList());
        Assert.Equal(FileSystemError.NotFound, error.Error);
    }

    [Fact]
    public async Task A_link_deep_in_a_path_is_followed_only_while_it_stays_inside_the_home()
    {
        Directory.CreateDirectory(Path.Combine(_home, "a", "b"));
        File.WriteAllText(Path.Combine(_home, "a", "b", "f.txt"), "deep");
        File.CreateSymbolicLink(Path.Combine(_home, "a", "out"), _outside);
        File.CreateSymbolicLink(Path.Combine(_home, "a", "b", "up"), Path.Combine(_home, "a"));

        Assert.Equal("deep", await ReadAsync("/a/b/up/b/f.txt"));
        var read = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.GetEntryAsync(P("/a/out/secret.txt"), default));
        Assert.Equal(FileSystemError.OutsideHome, read.Error);
        var write = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.BeginUploadAsync(P("/a/out/new.txt"), 0, default));
        Assert.Equal(FileSystemError.OutsideHome, write.Error);
        Assert.False(File.Exists(Path.Combine(_outside, "new.txt")));
    }

    [Fact]
    public async Task A_home_swapped_for_a_link_after_login_leads_nowhere()
    {
        Directory.Move(_home, _home + "-moved");
        File.CreateSymbolicLink(_home, _outside);
        var error = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.GetEntryAsync(P("/secret.txt"), default));
        Assert.Equal(FileSystemError.OutsideHome, error.Error);
    }

    [Fact]
    public async Task A_file_is_not_a_directory_on_the_way_to_another_path()
    {
        await UploadAsync("/plain.txt", "x");
        Assert.Null(await _fs.GetEntryAsync(P("/plain.txt/below"), default));
        var upload = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.BeginUploadAsync(P("/plain.txt/below"), 0, default));
        Assert.Equal(FileSystemError.NotADirectory, upload.Error);
        var missing = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.BeginUploadAsync(P("/nowhere/below"), 0, default));
        Assert.Equal(FileSystemError.NotFound, missing.Error);
        var entry = await _fs.GetEntryAsync(P("/plain.txt"), default);
        Assert.Equal((false, 1L), (entry!.IsDirectory, entry.Size));
    }

    [Fact]
    public async Task Dangling_link_cannot_be_written_through()
    {
        File.CreateSymbolicLink(Path.Combine(_home, "dangling"), Path.Combine(_outside, "created-by-attacker"));
        var error = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.BeginUploadAsync(P("/dangling"), 0, default));
        Assert.Equal(FileSystemError.OutsideHome, error.Error);
        Assert.False(File.Exists(Path.Combine(_outside, "created-by-attacker")));
    }

    [Fact]
    public async Task Link_inside_the_home_is_followed()
    {
        Directory.CreateDirectory(Path.Combine(_home, "real"));
        File.WriteAllText(Path.Combine(_home, "real", "f.txt"), "inside");
        File.CreateSymbolicLink(Path.Combine(_home, "alias"), Path.Combine(_home, "real"));
        Assert.Equal("inside", await ReadAsync("/alias/f.txt"));
    }

    [Fact]
    public async Task Directories_create_list_rename_and_remove()
    {
        await _fs.CreateDirectoryAsync(P("/d"), default);
        await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.CreateDirectoryAsync(P("/d"), default));
        await UploadAsync("/d/f.txt", "x");
        var notEmpty = await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.RemoveDirectoryAsync(P("/d"), default));
        Assert.Equal(FileSystemError.DirectoryNotEmpty, notEmpty.Error);
        await _fs.RenameAsync(P("/d/f.txt"), P("/g.txt"), default);
        await _fs.RemoveDirectoryAsync(P("/d"), default);
        var names = (await _fs.ListAsync(VirtualPath.Root, default)).Select(e => e.Name);
        Assert.Equal(["g.txt"], names);
        await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.RemoveDirectoryAsync(VirtualPath.Root, default));
    }

    [Fact]
    public async Task Moving_a_directory_into_itself_is_refused()
    {
        await _fs.CreateDirectoryAsync(P("/d"), default);
        await Assert.ThrowsAsync<FileSystemException>(async () => await _fs.RenameAsync(P("/d"), P("/d/inner"), default));
    }

    [Fact]
    public async Task Temporary_upload_files_are_hidden_from_listings()
    {
        await using var upload = await _fs.BeginUploadAsync(P("/busy.bin"), 0, default);
        await upload.Content.WriteAsync(new byte[10]);
        Assert.Single(Directory.GetFiles(_home));
        Assert.Empty(await _fs.ListAsync(VirtualPath.Root, default));
    }

    [Fact]
    public async Task Modification_time_can_be_set()
    {
        await UploadAsync("/t.txt", "x");
        var time = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await _fs.SetLastModifiedAsync(P("/t.txt"), time, default);
        Assert.Equal(time, (await _fs.GetEntryAsync(P("/t.txt"), default))!.LastModified);
    }

    [Fact]
    public async Task A_path_longer_than_the_kernel_takes_is_refused_as_too_long_before_anything_is_written()
    {
        // Names of 240 bytes: 16 levels stay within PATH_MAX (4095 bytes) with the home's own path; a 17th passes it.
        var directory = string.Empty;
        for (var level = 0; level < 16; level++)
        {
            directory += "/" + new string('é', 120);
            await _fs.CreateDirectoryAsync(P(directory), default);
        }

        var deeper = directory + "/" + new string('é', 120);
        Assert.InRange(Encoding.UTF8.GetByteCount(_home + deeper), 4096, 4400);
        await UploadAsync("/a.txt", "a");
        Func<Task>[] attempts =
        [
            async () => await _fs.CreateDirectoryAsync(P(deeper), default),
            async () => await _fs.BeginUploadAsync(P(deeper), 0, default),
            async () => await _fs.RenameAsync(P("/a.txt"), P(deeper), default),
        ];
        foreach (var attempt in attempts)
        {
            var refusal = await Assert.ThrowsAsync<FileSystemException>(attempt);
            Assert.Equal((FileSystemError.InvalidName, $"Path too long: on the server's disk {deeper} would be more than 4095 bytes long.", null),
                (refusal.Error, refusal.Message, refusal.InnerException));
        }

        Assert.Equal("a", await ReadAsync("/a.txt"));
        Assert.Empty(Directory.GetFileSystemEntries(_home + directory));
    }
}
