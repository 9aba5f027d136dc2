using System.Runtime.InteropServices;

namespace Gatehouse.Protocol.Hashing;

internal static unsafe partial class Zlib
{
    public static nuint Crc32(nuint crc, ReadOnlySpan<byte> data)
    {
        fixed (byte* pointer = data)
        {
            return crc32(crc, pointer, (uint)data.Length);
        }
    }

    [LibraryImport("libz.so.1")]
    private static partial nuint crc32(nuint crc, byte* buffer, uint length);
}
