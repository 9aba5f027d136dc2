namespace Gatehouse.Storage;

/// <summary>Metadata of one file or directory, as the protocol layer sees it.</summary>
public sealed record FileSystemEntry(
    string Name,
    bool IsDirectory,
    long Size,
    DateTimeOffset LastModified,
    string UniqueId);
