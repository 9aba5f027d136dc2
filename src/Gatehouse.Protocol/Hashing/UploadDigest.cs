using System.Security.Cryptography;

namespace Gatehouse.Protocol.Hashing;

/// <summary>
/// The SHA-256 of an upload computed over the blocks as they are written (Events:HashUploads), so the file is never
/// read again. Only an upload that writes the whole file from its first byte is hashed: one that continues earlier
/// data (REST + STOR, APPE) has no hash of that data at hand.
/// </summary>
public sealed class UploadDigest : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Lower-case hex, once <see cref="Finish"/> ran; null before.</summary>
    public string? Sha256 { get; private set; }

    public void Append(ReadOnlySpan<byte> written) => _hash.AppendData(written);

    public void Finish() => Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();
}
