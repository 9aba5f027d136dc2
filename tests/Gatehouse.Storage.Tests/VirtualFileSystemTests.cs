using System.Text;
using Gatehouse.Storage.Access;
using Gatehouse.Storage.Local;
using Gatehouse.Storage.Virtual;

namespace Gatehouse.Storage.Tests;

public sealed class VirtualFileSystemTests : IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("gatehouse-vfs-").FullName;
    private readonly VirtualFileSystem _tree;

    public VirtualFileSystemTests()
    {
        var home = Path.Combine(_sandbox, "home");
        var prices = Path.Combine(_sandbox, "prices");
        var drop = Path.Combine(_sandbox, "drop");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(prices);
        File.WriteAllText(Path.Combine(home, "own.txt"), "own");
        File.WriteAllText(Path.Combine(prices, "list.csv"), "price");
        _tree = new VirtualFileSystem(new LocalFileSystem(home),
        [
            new Mount(P("/shared/prices"), new LocalFileSystem(prices), ReadOnly: true, "prices"),
            new Mount(P("/drop"), new LocalFileSystem(drop), ReadOnly: false, "drop"),
        ]);
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    [Fact]
    public async Task Listing_shows_mount_points_and_the_directories_leading_to_them()
    {
        var root = await _tree.ListAsync(VirtualPath.Root, CancellationToken.None);
        Assert.Equal(["drop", "own.txt", "shared"], root.Select(entry => entry.Name).Order());
        Assert.All(root.Where(entry => entry.Name != "own.txt"), entry => Assert.True(entry.IsDirectory));
        Assert.Equal(["prices"], (await _tree.ListAsync(P("/shared"), CancellationToken.None)).Select(entry => entry.Name));
        Assert.Equal(["list.csv"], (await _tree.ListAsync(P("/shared/prices"), CancellationToken.None)).Select(entry => entry.Name));
    }

    [Fact]
    public async Task Reads_go_to_the_mounted_folder()
    {
        await using var stream = await _tree.OpenReadAsync(P("/shared/prices/list.csv"), 0, CancellationToken.None);
        using var reader = new StreamReader(stream);
        Assert.Equal("price", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task A_read_only_mount_refuses_every_change()
    {
        var path = P("/shared/prices/list.csv");
        await AssertRefusedAsync(() => _tree.BeginUploadAsync(P("/shared/prices/new.csv"), 0, CancellationToken.None).AsTask(), "read-only folder /shared/prices");
        await AssertRefusedAsync(() => _tree.DeleteFileAsync(path, CancellationToken.None).AsTask(), "read-only");
        await AssertRefusedAsync(() => _tree.CheckRenameSourceAsync(path, CancellationToken.None).AsTask(), "read-only");
        await AssertRefusedAsync(() => _tree.CreateDirectoryAsync(P("/shared/prices/sub"), CancellationToken.None).AsTask(), "read-only");
        await AssertRefusedAsync(() => _tree.SetLastModifiedAsync(path, DateTimeOffset.UnixEpoch, CancellationToken.None).AsTask(), "read-only");
    }

    [Fact]
    public async Task Mount_points_and_virtual_directories_cannot_be_changed()
    {
        await AssertRefusedAsync(() => _tree.RemoveDirectoryAsync(P("/drop"), CancellationToken.None).AsTask(), "shared folders are mounted");
        await AssertRefusedAsync(() => _tree.CheckRenameSourceAsync(P("/shared"), CancellationToken.None).AsTask(), "shared folders are mounted");
        await AssertRefusedAsync(() => _tree.BeginUploadAsync(P("/shared/loose.txt"), 0, CancellationToken.None).AsTask(), "only holds shared folders");
    }

    [Fact]
    public async Task Nothing_moves_between_mounts()
    {
        await AssertRefusedAsync(() => _tree.RenameAsync(P("/own.txt"), P("/drop/own.txt"), CancellationToken.None).AsTask(), "different folders");
    }

    [Fact]
    public async Task Writable_mounts_take_uploads_and_paths_inside_cannot_escape()
    {
        await using (var upload = await _tree.BeginUploadAsync(P("/drop/in.txt"), 0, CancellationToken.None))
        {
            await upload.Content.WriteAsync(Encoding.UTF8.GetBytes("order"));
            await upload.CommitAsync(CancellationToken.None);
        }

        Assert.Equal("order", await File.ReadAllTextAsync(Path.Combine(_sandbox, "drop", "in.txt")));
        Assert.False(VirtualPath.TryResolve(P("/drop"), "../../../etc/passwd", out _, out _));
        File.CreateSymbolicLink(Path.Combine(_sandbox, "drop", "escape"), Path.Combine(_sandbox, "home"));
        await AssertRefusedAsync(() => _tree.ListAsync(P("/drop/escape"), CancellationToken.None).AsTask(), "outside", FileSystemError.OutsideHome);
    }

    [Fact]
    public async Task The_guard_names_the_permission_that_is_missing()
    {
        var guarded = new GuardedFileSystem(_tree, new PermissionTable([new PermissionRule(VirtualPath.Root, FilePermissions.ReadOnly, RuleLayer.Group, "group g")]));
        await AssertRefusedAsync(() => guarded.DeleteFileAsync(P("/own.txt"), CancellationToken.None).AsTask(), "you lack the 'delete' permission for /own.txt");
        await AssertRefusedAsync(() => guarded.BeginUploadAsync(P("/own.txt"), 0, CancellationToken.None).AsTask(), "'overwrite'");
        await AssertRefusedAsync(() => guarded.BeginUploadAsync(P("/fresh.txt"), 0, CancellationToken.None).AsTask(), "'upload'");
        Assert.Equal(3, (await guarded.ListAsync(VirtualPath.Root, CancellationToken.None)).Count());
    }

    private static async Task AssertRefusedAsync(Func<Task> action, string message, FileSystemError error = FileSystemError.PermissionDenied)
    {
        var refusal = await Assert.ThrowsAsync<FileSystemException>(action);
        Assert.Equal(error, refusal.Error);
        Assert.Contains(message, refusal.Message, StringComparison.Ordinal);
    }
}
