using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Gatehouse.Storage.Local;

/// <summary>
/// The two POSIX calls .NET does not expose: realpath (to confine symbolic links to the home)
/// and statx (device and inode numbers for the MLSD "unique" fact).
/// </summary>
internal static partial class NativeFileApi
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const int StatxBufferSize = 256;
    private const int StatxInoOffset = 32;
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

    /// <summary>"dev.inode" in hex, or null where statx is unavailable.</summary>
    public static string? FileIdentity(string path)
    {
        var buffer = new byte[StatxBufferSize];
        try
        {
            if (statx(AtFdCwd, path, 0, StatxIno, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(StatxInoOffset));
        var major = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(StatxDevMajorOffset));
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(StatxDevMinorOffset));
        return $"{major:x}.{minor:x}.{inode:x}";
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc")]
    private static partial void free(IntPtr pointer);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string pathname, int flags, uint mask, [Out] byte[] buffer);
}
