using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gatehouse.Storage.Local;

/// <summary>
/// The Linux calls .NET does not expose: realpath (to confine symbolic links to the home); statx (device and inode
/// numbers for the MLSD "unique" fact, with the rest of a listing line's facts in the same call, relative to the open
/// directory when listing one); renameat2 (to put an upload in place and learn exactly what it replaced);
/// sync_file_range (to write an upload back while it arrives); fsync of a directory (.NET opens no directories).
/// </summary>
internal static partial class NativeFileApi
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxMtime = 0x40;
    private const uint StatxIno = 0x100;
    private const uint StatxSize = 0x200;
    private const uint StatxMask = StatxType | StatxMtime | StatxIno | StatxSize;
    private const int StatxBufferSize = 256;
    private const int StatxModeOffset = 28;
    private const int StatxInoOffset = 32;
    private const int StatxSizeOffset = 40;
    private const int StatxMtimeOffset = 112;
    private const int FileTypeMask = 0xF000;
    private const int DirectoryType = 0x4000;
    private const int LinkType = 0xA000;
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW

    [ThreadStatic]
    private static byte[]? t_statxBuffer;
    private const int StatxDevMajorOffset = 136;
    private const int StatxDevMinorOffset = 140;

    /// <summary>The canonical path with every symbolic link resolved, or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>
    /// Everything a listing line needs in one statx call (following links): type, size, modification time and a
    /// "dev.inode" identity. Null when the path does not exist or statx is unavailable (the caller falls back).
    /// </summary>
    public static FileStatus? Status(string path) => Status(null, path, static (_, path, buffer) => statx(AtFdCwd, path, 0, StatxMask, buffer), out _);

    /// <summary>As <see cref="Status(string)"/>, but a link at the end of the path is described as itself (lstat).</summary>
    /// <param name="error">Why there is no status: the errno (<see cref="NoSuchFile"/>, ...), or <see cref="NotImplemented"/> without statx.</param>
    public static FileStatus? LinkStatus(string path, out int error) =>
        Status(null, path, static (_, path, buffer) => statx(AtFdCwd, path, NoFollow, StatxMask, buffer), out error);

    /// <summary>
    /// As <see cref="Status(string)"/>, for an entry of an open directory: the kernel looks up one name, not the whole
    /// path, and a link is described as itself (<see cref="FileStatus.IsLink"/>), not followed.
    /// </summary>
    public static FileStatus? Status(DirectoryHandle directory, string name) =>
        Status(directory, name, static (directory, name, buffer) => statxAt(directory!, name, NoFollow, StatxMask, buffer), out _);

    /// <summary>The directory opened for lookups relative to it, or null where that is not possible (the caller falls back to paths).</summary>
    public static DirectoryHandle? OpenDirectory(string path)
    {
        const int ReadOnlyDirectory = 0x10000 | 0x80000; // O_DIRECTORY | O_CLOEXEC
        try
        {
            var handle = open(path, ReadOnlyDirectory);
            if (!handle.IsInvalid)
            {
                return handle;
            }

            handle.Dispose();
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static FileStatus? Status(DirectoryHandle? directory, string path, Func<DirectoryHandle?, string, byte[], int> call, out int error)
    {
        var buffer = t_statxBuffer ??= new byte[StatxBufferSize];
        try
        {
            if (call(directory, path, buffer) != 0)
            {
                error = Marshal.GetLastPInvokeError();
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            error = NotImplemented;
            return null;
        }

        error = 0;

        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(StatxModeOffset));
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(StatxInoOffset));
        var size = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(StatxSizeOffset));
        var seconds = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(StatxMtimeOffset));
        var nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(StatxMtimeOffset + 8));
        var major = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(StatxDevMajorOffset));
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(StatxDevMinorOffset));
        return new FileStatus(
            (mode & FileTypeMask) == DirectoryType,
            (mode & FileTypeMask) == LinkType,
            size,
            DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100),
            $"{major:x}.{minor:x}.{inode:x}");
    }

    public const int NoSuchFile = 2;
    public const int AlreadyExists = 17;
    public const int InvalidArgument = 22;
    public const int NotImplemented = 38;
    public const int NotSupported = 95;

    /// <summary>renameat2 with RENAME_EXCHANGE (swap both names) or RENAME_NOREPLACE (fail when the target exists).</summary>
    /// <returns>0, or the errno (<see cref="NotImplemented"/> where the C library lacks the call).</returns>
    public static int Rename(string from, string to, bool exchange)
    {
        const uint NoReplace = 1;
        const uint Exchange = 2;
        try
        {
            return renameat2(AtFdCwd, from, AtFdCwd, to, exchange ? Exchange : NoReplace) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        catch (EntryPointNotFoundException)
        {
            return NotImplemented;
        }
    }

    /// <summary>sync_file_range with SYNC_FILE_RANGE_WRITE: starts writing the range to disk and returns without waiting.</summary>
    /// <returns>False where the call is unavailable or the file system refuses it (then there is no point asking again).</returns>
    public static bool StartWriteback(SafeFileHandle file, long offset, long length)
    {
        const uint Write = 2;
        try
        {
            return sync_file_range(file, offset, length, Write) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>fsync of a directory: the names created in it survive a power cut. False where it cannot be done.</summary>
    public static bool SyncDirectory(string path)
    {
        using var directory = OpenDirectory(path);
        return directory is not null && fsync(directory) == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(DirectoryHandle fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc")]
    private static partial void free(IntPtr pointer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string pathname, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statxAt(DirectoryHandle dirfd, string pathname, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial DirectoryHandle open(string pathname, int flags);

    [LibraryImport("libc")]
    internal static partial int close(IntPtr fd);
}

/// <summary>An open directory's file descriptor, closed on dispose.</summary>
internal sealed class DirectoryHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle() => NativeFileApi.close(handle) == 0;
}

internal readonly record struct FileStatus(bool IsDirectory, bool IsLink, long Size, DateTimeOffset LastModified, string Identity);
