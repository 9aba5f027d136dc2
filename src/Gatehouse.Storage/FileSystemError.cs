namespace Gatehouse.Storage;

public enum FileSystemError
{
    NotFound,
    AlreadyExists,
    PermissionDenied,
    NotADirectory,
    IsADirectory,
    DirectoryNotEmpty,
    OutsideHome,
    InsufficientStorage,
    QuotaExceeded,
    InvalidName,

    /// <summary>A restart offset (REST) past the end of the file: there is nothing there to resume from.</summary>
    OffsetBeyondEnd,
    IoError,
}

/// <summary>A storage failure with a message that is safe to show to the client (no real paths).</summary>
public sealed class FileSystemException : Exception
{
    public FileSystemException(FileSystemError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    public FileSystemError Error { get; }

    public static FileSystemException OffsetBeyondEnd(VirtualPath path, long offset, long size) =>
        new(FileSystemError.OffsetBeyondEnd, $"Restart offset {offset} is beyond the end of {path} ({size} bytes).");
}
