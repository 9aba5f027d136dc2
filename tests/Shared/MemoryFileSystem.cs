using System.Text;
using Gatehouse.Storage;

namespace Gatehouse.Tests.Shared;

/// <summary>
/// A user's home held in memory, for tests that drive a real session without a disk. Through <see cref="IFileSystem"/>
/// it answers as <c>LocalFileSystem</c> does: the same <see cref="FileSystemError"/> for the same failure (with the
/// same messages), the same entries, uploads hidden until committed, and dates kept as a POSIX file system keeps them
/// (a file is dated by its last write, a directory by the last change of its names). The checks in
/// tests/Gatehouse.Storage.Tests/MemoryFileSystemTests.cs run against both, so the two cannot drift apart.
/// Dates come from the <see cref="TimeProvider"/> given to the constructor; listings come in ordinal name order (the
/// disk gives its own order). One lock guards the tree: enough for a session and its transfer in the background.
/// </summary>
public sealed class MemoryFileSystem : IFileSystem
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly DirectoryNode _root;
    private long _lastId;

    public MemoryFileSystem(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _root = new DirectoryNode(NewId(), Now);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    public ValueTask<FileSystemEntry?> GetEntryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(Find(path) is { } node ? Entry(path.Name, node) : null);
        }
    }

    public ValueTask<IEnumerable<FileSystemEntry>> ListAsync(VirtualPath directory, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Existing(directory) is not DirectoryNode)
            {
                throw new FileSystemException(FileSystemError.NotADirectory, $"{directory} is not a directory.");
            }
        }

        return ValueTask.FromResult(ReadEntries(directory));
    }

    /// <summary>As on the disk, the directory is read when the listing is enumerated, not when it is asked for.</summary>
    private IEnumerable<FileSystemEntry> ReadEntries(VirtualPath directory)
    {
        foreach (var entry in Snapshot(directory))
        {
            yield return entry;
        }
    }

    private List<FileSystemEntry> Snapshot(VirtualPath directory)
    {
        lock (_gate)
        {
            if (Find(directory) is not DirectoryNode found)
            {
                throw new FileSystemException(FileSystemError.NotFound, "No such file or directory.");
            }

            return [.. found.Children.Select(child => Entry(child.Key, child.Value))];
        }
    }

    public ValueTask<Stream> OpenReadAsync(VirtualPath path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        byte[] content;
        lock (_gate)
        {
            if (Existing(path) is not FileNode file)
            {
                throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory.");
            }

            content = file.Content;
        }

        if (offset > content.Length)
        {
            throw FileSystemException.OffsetBeyondEnd(path, offset, content.Length);
        }

        // Each version of a file is an array of its own, never changed: an open reader keeps the one it opened.
        return ValueTask.FromResult<Stream>(new MemoryStream(content, writable: false) { Position = offset });
    }

    public ValueTask<long?> GetPartialUploadSizeAsync(VirtualPath path, CancellationToken cancellationToken) => ValueTask.FromResult<long?>(null);

    public ValueTask<IUpload> BeginUploadAsync(VirtualPath path, long keepExistingBytes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var (parent, existing) = ForCreation(path);
            if (existing is DirectoryNode)
            {
                throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory.");
            }

            var prefix = Array.Empty<byte>();
            var modified = Now;
            if (keepExistingBytes > 0)
            {
                if (existing is not FileNode file)
                {
                    throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist, so there is nothing to resume or append to.");
                }

                if (keepExistingBytes > file.Content.Length)
                {
                    throw FileSystemException.OffsetBeyondEnd(path, keepExistingBytes, file.Content.Length);
                }

                prefix = file.Content[..(int)keepExistingBytes];
                if (keepExistingBytes == file.Content.Length)
                {
                    // The disk copies the whole file with its date; only cutting it short (or a write) dates it now.
                    modified = file.Modified;
                }
            }

            // The disk keeps the upload in a hidden file beside the final name: it changes the directory's date now
            // and when it goes, and keeps the directory from being removed meanwhile.
            parent.HiddenUploads++;
            Touch(parent);
            return ValueTask.FromResult<IUpload>(new Upload(this, path, parent, NewId(), prefix, modified));
        }
    }

    public ValueTask CreateDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var (parent, existing) = ForCreation(path);
            if (existing is not null)
            {
                throw new FileSystemException(FileSystemError.AlreadyExists, $"{path} already exists.");
            }

            parent.Children[path.Name] = new DirectoryNode(NewId(), Now);
            Touch(parent);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask DeleteFileAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (path.IsRoot)
            {
                throw new FileSystemException(FileSystemError.IsADirectory, "/ is a directory; use RMD to remove it.");
            }

            var (parent, node) = Itself(path);
            if (node is DirectoryNode)
            {
                throw new FileSystemException(FileSystemError.IsADirectory, $"{path} is a directory; use RMD to remove it.");
            }

            parent.Children.Remove(path.Name);
            Touch(parent);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask RemoveDirectoryAsync(VirtualPath path, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (path.IsRoot)
            {
                throw new FileSystemException(FileSystemError.PermissionDenied, "Your home directory cannot be removed.");
            }

            var (parent, node) = Itself(path);
            if (node is not DirectoryNode directory)
            {
                throw new FileSystemException(FileSystemError.NotADirectory, $"{path} is not a directory.");
            }

            if (directory.Children.Count > 0 || directory.HiddenUploads > 0)
            {
                throw new FileSystemException(FileSystemError.DirectoryNotEmpty, "Directory is not empty.");
            }

            parent.Children.Remove(path.Name);
            Touch(parent);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask CheckRenameSourceAsync(VirtualPath from, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (from.IsRoot)
            {
                throw new FileSystemException(FileSystemError.PermissionDenied, "Your home directory cannot be renamed.");
            }

            Itself(from);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask RenameAsync(VirtualPath from, VirtualPath to, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (from.IsRoot)
            {
                throw new FileSystemException(FileSystemError.PermissionDenied, "Your home directory cannot be renamed.");
            }

            var (sourceParent, source) = Itself(from);
            var (targetParent, existing) = ForCreation(to);
            if (source is DirectoryNode)
            {
                if (to.Value.StartsWith(from.Value + "/", StringComparison.Ordinal))
                {
                    throw new FileSystemException(FileSystemError.InvalidName, "A directory cannot be moved into itself.");
                }

                if (existing is not null)
                {
                    throw new FileSystemException(FileSystemError.AlreadyExists, $"{to} already exists.");
                }
            }
            else if (existing is DirectoryNode)
            {
                throw new FileSystemException(FileSystemError.IsADirectory, $"{to} is an existing directory.");
            }
            else if (ReferenceEquals(existing, source))
            {
                // A file renamed onto itself: rename(2) succeeds and does nothing.
                return ValueTask.CompletedTask;
            }

            sourceParent.Children.Remove(from.Name);
            targetParent.Children[to.Name] = source;
            Touch(sourceParent);
            Touch(targetParent);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask SetLastModifiedAsync(VirtualPath path, DateTimeOffset time, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Existing(path).Modified = time.ToUniversalTime();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Puts a file at <paramref name="path"/>, making the directories on the way, in place of any file there; dated <paramref name="modified"/>, or now.</summary>
    public void AddFile(string path, ReadOnlySpan<byte> content, DateTimeOffset? modified = null)
    {
        var at = Parse(path);
        lock (_gate)
        {
            if (at.IsRoot)
            {
                throw new FileSystemException(FileSystemError.IsADirectory, "/ is your home directory.");
            }

            var parent = MakeDirectories(at.Parent);
            if (parent.Children.GetValueOrDefault(at.Name) is DirectoryNode)
            {
                throw new FileSystemException(FileSystemError.IsADirectory, $"{at} is a directory.");
            }

            parent.Children[at.Name] = new FileNode(NewId(), (modified ?? Now).ToUniversalTime(), content.ToArray());
            Touch(parent);
        }
    }

    /// <summary>As <see cref="AddFile(string, ReadOnlySpan{byte}, DateTimeOffset?)"/>, with <paramref name="text"/> in UTF-8.</summary>
    public void AddFile(string path, string text, DateTimeOffset? modified = null) => AddFile(path, Encoding.UTF8.GetBytes(text), modified);

    /// <summary>Makes the directory at <paramref name="path"/> and those on the way to it, where missing.</summary>
    public void AddDirectory(string path)
    {
        var at = Parse(path);
        lock (_gate)
        {
            MakeDirectories(at);
        }
    }

    /// <summary>The committed content of the file at <paramref name="path"/>.</summary>
    public byte[] ReadFile(string path)
    {
        var at = Parse(path);
        lock (_gate)
        {
            return Existing(at) is FileNode file
                ? file.Content.ToArray()
                : throw new FileSystemException(FileSystemError.IsADirectory, $"{at} is a directory.");
        }
    }

    /// <summary>The committed content of the file at <paramref name="path"/>, as UTF-8 text.</summary>
    public string ReadText(string path) => Encoding.UTF8.GetString(ReadFile(path));

    /// <summary>Whether a file or directory is at <paramref name="path"/> (an upload is there only once committed).</summary>
    public bool Exists(string path)
    {
        var at = Parse(path);
        lock (_gate)
        {
            return Find(at) is not null;
        }
    }

    private static VirtualPath Parse(string path) =>
        VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error) ? result : throw new ArgumentException(error, nameof(path));

    private string NewId() => $"memory.{++_lastId:x}";

    private void Touch(DirectoryNode directory) => directory.Modified = Now;

    private static FileSystemEntry Entry(string name, Node node) =>
        new(name, node is DirectoryNode, node is FileNode file ? file.Content.Length : 0, node.Modified, node.Id);

    private Node? Find(VirtualPath path)
    {
        Node node = _root;
        foreach (var name in path.Segments)
        {
            if (node is not DirectoryNode directory || !directory.Children.TryGetValue(name, out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private Node Existing(VirtualPath path) =>
        Find(path) ?? throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist.");

    /// <summary>Where a name is to be created or replaced: its parent must be an existing directory.</summary>
    private (DirectoryNode Parent, Node? Existing) ForCreation(VirtualPath path)
    {
        if (path.IsRoot)
        {
            throw new FileSystemException(FileSystemError.IsADirectory, "/ is your home directory.");
        }

        var parent = Find(path.Parent) switch
        {
            DirectoryNode directory => directory,
            null => throw new FileSystemException(FileSystemError.NotFound, $"Directory {path.Parent} does not exist."),
            _ => throw new FileSystemException(FileSystemError.NotADirectory, $"{path.Parent} is not a directory."),
        };
        return (parent, parent.Children.GetValueOrDefault(path.Name));
    }

    /// <summary>An existing name, for the operations that act on it rather than on what is below it (delete, rename).</summary>
    private (DirectoryNode Parent, Node Node) Itself(VirtualPath path) =>
        Existing(path.Parent) is DirectoryNode parent && parent.Children.TryGetValue(path.Name, out var node)
            ? (parent, node)
            : throw new FileSystemException(FileSystemError.NotFound, $"{path} does not exist.");

    private DirectoryNode MakeDirectories(VirtualPath path)
    {
        var directory = _root;
        foreach (var name in path.Segments)
        {
            switch (directory.Children.GetValueOrDefault(name))
            {
                case DirectoryNode existing:
                    directory = existing;
                    break;
                case null:
                    var created = new DirectoryNode(NewId(), Now);
                    directory.Children[name] = created;
                    Touch(directory);
                    directory = created;
                    break;
                default:
                    throw new FileSystemException(FileSystemError.NotADirectory, $"{name} on the way to {path} is a file.");
            }
        }

        return directory;
    }

    private abstract class Node(string id, DateTimeOffset modified)
    {
        public string Id { get; } = id;

        public DateTimeOffset Modified { get; set; } = modified;
    }

    /// <summary>One version of a file: a new upload makes a new node, so the array is never written to.</summary>
    private sealed class FileNode(string id, DateTimeOffset modified, byte[] content) : Node(id, modified)
    {
        public byte[] Content { get; } = content;
    }

    private sealed class DirectoryNode(string id, DateTimeOffset modified) : Node(id, modified)
    {
        public SortedDictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        /// <summary>Uploads whose hidden file is in this directory: in progress, or lost when the directory moved under them.</summary>
        public int HiddenUploads { get; set; }
    }

    private sealed class Upload : IUpload
    {
        private readonly MemoryFileSystem _owner;
        private readonly VirtualPath _path;
        private readonly DirectoryNode _parent;
        private readonly string _id;
        private readonly UploadStream _content;
        private DateTimeOffset _modified;
        private bool _finished;
        private bool _released;

        public Upload(MemoryFileSystem owner, VirtualPath path, DirectoryNode parent, string id, byte[] prefix, DateTimeOffset modified)
        {
            _owner = owner;
            _path = path;
            _parent = parent;
            _id = id;
            _modified = modified;
            var buffer = new MemoryStream();
            buffer.Write(prefix);
            _content = new UploadStream(buffer, Wrote);
        }

        public Stream Content => _content;

        public ValueTask<UploadCommit> CommitAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_finished, _content);
            _finished = true;
            var content = _content.ToArray();
            _content.Dispose();
            lock (_owner._gate)
            {
                if (!IsInPlace())
                {
                    // On the disk the hidden file moved away with its directory: the rename that commits finds nothing.
                    throw new FileSystemException(FileSystemError.IoError, "The server's file system reported an error.");
                }

                long? replaced = null;
                switch (_parent.Children.GetValueOrDefault(_path.Name))
                {
                    case DirectoryNode:
                        throw new FileSystemException(FileSystemError.IsADirectory, $"{_path.Name} is now a directory.");
                    case FileNode previous:
                        replaced = previous.Content.Length;
                        break;
                }

                _parent.Children[_path.Name] = new FileNode(_id, _modified, content);
                _parent.HiddenUploads--;
                _released = true;
                _owner.Touch(_parent);
                return ValueTask.FromResult(new UploadCommit(replaced));
            }
        }

        /// <summary>Uploads here are never kept for resuming (as on the disk with resume-uploads off).</summary>
        public async ValueTask<long> KeepPartialAsync(CancellationToken cancellationToken)
        {
            await DisposeAsync();
            return 0;
        }

        public ValueTask DisposeAsync()
        {
            _finished = true;
            _content.Dispose();
            lock (_owner._gate)
            {
                // Where the directory moved away, the disk cannot find the hidden file to delete it either: it stays.
                if (!_released && IsInPlace())
                {
                    _parent.HiddenUploads--;
                    _owner.Touch(_parent);
                }

                _released = true;
            }

            return ValueTask.CompletedTask;
        }

        private bool IsInPlace() => ReferenceEquals(_owner.Find(_path.Parent), _parent);

        /// <summary>The file is dated by its last write, as on the disk, not by the commit.</summary>
        private void Wrote()
        {
            lock (_owner._gate)
            {
                _modified = _owner.Now;
            }
        }
    }

    /// <summary>Like the disk's upload stream: write-only, not seekable, its position counting from the kept bytes.</summary>
    private sealed class UploadStream(MemoryStream stored, Action wrote) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => stored.Length;

        public override long Position
        {
            get => stored.Position;
            set => throw new NotSupportedException();
        }

        public byte[] ToArray() => stored.ToArray();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            stored.Write(data);
            if (!data.IsEmpty)
            {
                wrote();
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            try
            {
                Write(data.Span);
                return ValueTask.CompletedTask;
            }
            catch (Exception failure)
            {
                return ValueTask.FromException(failure);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => stored.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => stored.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                stored.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
