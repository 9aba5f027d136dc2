namespace Gatehouse.Protocol.Hashing;

/// <summary>The algorithms of the HASH command (draft-bryan-ftpext-hash), by their protocol names.</summary>
public enum FileHashAlgorithm
{
    Sha256,
    Sha1,
    Md5,
    Crc32,
}

public static class FileHashAlgorithms
{
    public static readonly IReadOnlyList<FileHashAlgorithm> All =
        [FileHashAlgorithm.Sha256, FileHashAlgorithm.Sha1, FileHashAlgorithm.Md5, FileHashAlgorithm.Crc32];

    public static string Name(FileHashAlgorithm algorithm) => algorithm switch
    {
        FileHashAlgorithm.Sha256 => "SHA-256",
        FileHashAlgorithm.Sha1 => "SHA-1",
        FileHashAlgorithm.Md5 => "MD5",
        FileHashAlgorithm.Crc32 => "CRC32",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    public static bool TryParse(string name, out FileHashAlgorithm algorithm)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(Name(candidate), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = default;
        return false;
    }

    /// <summary>The FEAT line: every algorithm, the session's current one marked with '*'.</summary>
    public static string FeatureList(FileHashAlgorithm selected) =>
        string.Join(';', All.Select(algorithm => Name(algorithm) + (algorithm == selected ? "*" : string.Empty)));
}
