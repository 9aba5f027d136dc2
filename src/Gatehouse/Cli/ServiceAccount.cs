using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Gatehouse.Cli;

/// <summary>
/// An administrator runs the CLI with sudo, but the files it creates in DataDirectory (accounts.db with its WAL and
/// shared-memory files, default homes) must belong to the account the service runs as, which could not open them
/// otherwise. So a CLI run as root takes on the owner of an existing DataDirectory (the package's <c>gatehouse</c>
/// account for /var/lib/gatehouse) before it touches anything there. A directory root owns changes nothing.
/// </summary>
internal static partial class ServiceAccount
{
    private const int AtFdCwd = -100;
    private const uint StatxUidGid = 0x8 | 0x10; // STATX_UID | STATX_GID
    private const int StatxBufferSize = 256;
    private const int StatxUidOffset = 20;
    private const int StatxGidOffset = 24;

    /// <returns>Null when nothing had to change or the change was made; otherwise why the process could not switch.</returns>
    public static string? BecomeOwnerOf(string dataDirectory)
    {
        if (geteuid() != 0 || !Directory.Exists(dataDirectory))
        {
            return null;
        }

        var buffer = new byte[StatxBufferSize];
        if (statx(AtFdCwd, dataDirectory, 0, StatxUidGid, buffer) != 0)
        {
            return $"cannot read the owner of {dataDirectory} (errno {Marshal.GetLastPInvokeError()})";
        }

        var uid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(StatxUidOffset));
        var gid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(StatxGidOffset));
        if (uid == 0)
        {
            return null;
        }

        // Group first: once the user id is not root, the process may no longer change its groups.
        uint[] groups = [gid];
        if (setgroups(1, groups) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
        {
            return $"cannot switch to the owner of {dataDirectory} (uid {uid}, gid {gid}; errno {Marshal.GetLastPInvokeError()})";
        }

        return null;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directoryFd, string path, int flags, uint mask, byte[] buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setgroups(nuint size, uint[] groups);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setgid(uint gid);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setuid(uint uid);
}
