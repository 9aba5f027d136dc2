using System.Buffers;
using System.Security.Cryptography;

namespace Gatehouse.Protocol.Hashing;

/// <summary>Hashes a stream with pooled buffers; CRC32 comes from the system zlib, the others from the platform.</summary>
public static class FileHasher
{
    private const int BufferSize = 1 << 18;

    public static async Task<string> ComputeAsync(Stream content, FileHashAlgorithm algorithm, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            if (algorithm == FileHashAlgorithm.Crc32)
            {
                nuint crc = 0;
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    crc = Zlib.Crc32(crc, buffer.AsSpan(0, read));
                }

                return ((uint)crc).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
            }

            using var hash = IncrementalHash.CreateHash(algorithm switch
            {
                FileHashAlgorithm.Sha256 => HashAlgorithmName.SHA256,
                FileHashAlgorithm.Sha1 => HashAlgorithmName.SHA1,
                _ => HashAlgorithmName.MD5,
            });
            int count;
            while ((count = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, count);
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
