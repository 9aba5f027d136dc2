namespace Gatehouse.Storage;

/// <summary>
/// The operating system's failures that are conditions of the storage, not faults of the server: a name or path too
/// long, no space or disk quota left, a read-only file system, permission denied, a file gone. Each is one
/// <see cref="FileSystemException"/> with a client-safe message (no real paths), so the session answers it with a
/// defined reply and logs it in one line; whatever is not here is unexpected and keeps its stack trace.
/// </summary>
public static class StorageConditions
{
    // errno values (Linux), which .NET on Unix keeps as the HResult of an IOException it has no own type for.
    private const int Eperm = 1;
    private const int Eacces = 13;
    private const int Enospc = 28;
    private const int Erofs = 30;
    private const int Enametoolong = 36;
    private const int Enotempty = 39;
    private const int Edquot = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsDirNotEmpty = unchecked((int)0x80070091);

    public const string NameTooLong = "File name or path too long for the server's file system.";

    /// <summary>The storage failure <paramref name="exception"/> stands for: itself when it is one, the condition it reports, or null.</summary>
    public static FileSystemException? Classify(Exception exception) => exception switch
    {
        FileSystemException known => known,
        PathTooLongException => new(FileSystemError.InvalidName, NameTooLong, exception),
        UnauthorizedAccessException => new(FileSystemError.PermissionDenied, "Permission denied by the server's file system.", exception),
        FileNotFoundException or DirectoryNotFoundException => new(FileSystemError.NotFound, "No such file or directory.", exception),
        IOException io => io.HResult switch
        {
            Enametoolong => new(FileSystemError.InvalidName, NameTooLong, exception),
            Eacces or Eperm => new(FileSystemError.PermissionDenied, "Permission denied by the server's file system.", exception),
            Erofs => new(FileSystemError.PermissionDenied, "The server's file system is read-only.", exception),
            Enospc or Edquot or WindowsDiskFull => new(FileSystemError.InsufficientStorage, "Not enough storage space on the server.", exception),
            Enotempty or WindowsDirNotEmpty => new(FileSystemError.DirectoryNotEmpty, "Directory is not empty.", exception),
            _ => null,
        },
        _ => null,
    };
}
