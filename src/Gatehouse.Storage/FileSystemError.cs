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
    IoError,
}

/// <summary>A storage failure with a message that is safe to show to the client (no real paths).</summary>
public sealed class FileSystemException : Exception
{
    public FileSystemException(FileSystemError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    public FileSystemError Error { get; }
}
