namespace Gatehouse.Storage.Local;

/// <summary>Turns operating-system failures into client-safe <see cref="FileSystemException"/>s (no real paths).</summary>
internal static class StorageErrors
{
    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int Enotempty = 39;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsDirNotEmpty = unchecked((int)0x80070091);

    public static bool TryTranslate(Exception exception, out FileSystemException translated)
    {
        translated = exception switch
        {
            FileSystemException => null!,
            UnauthorizedAccessException => new(FileSystemError.PermissionDenied, "Permission denied by the server's file system.", exception),
            FileNotFoundException or DirectoryNotFoundException => new(FileSystemError.NotFound, "No such file or directory.", exception),
            PathTooLongException => new(FileSystemError.InvalidName, "Path is too long for the server's file system.", exception),
            IOException io when io.HResult is Enospc or Edquot or WindowsDiskFull =>
                new(FileSystemError.InsufficientStorage, "Not enough storage space on the server.", exception),
            IOException io when io.HResult is Enotempty or WindowsDirNotEmpty =>
                new(FileSystemError.DirectoryNotEmpty, "Directory is not empty.", exception),
            IOException io when io.Message.Contains("not empty", StringComparison.OrdinalIgnoreCase) =>
                new(FileSystemError.DirectoryNotEmpty, "Directory is not empty.", exception),
            IOException io when io.Message.Contains("exists", StringComparison.OrdinalIgnoreCase) =>
                new(FileSystemError.AlreadyExists, "The target already exists.", exception),
            IOException => new(FileSystemError.IoError, "The server's file system reported an error.", exception),
            _ => null!,
        };
        return translated is not null;
    }

    /// <summary>Runs a disk operation, its operating-system failures turned into <see cref="FileSystemException"/>s.</summary>
    public static T Translate<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception ex) when (TryTranslate(ex, out var translated))
        {
            throw translated;
        }
    }
}
