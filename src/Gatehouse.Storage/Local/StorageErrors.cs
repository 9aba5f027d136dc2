namespace Gatehouse.Storage.Local;

/// <summary>
/// Turns operating-system failures into client-safe <see cref="FileSystemException"/>s (no real paths): the known
/// conditions (<see cref="StorageConditions"/>), what the disk's messages say where the error number does not, and
/// any other I/O failure as <see cref="FileSystemError.IoError"/>, which keeps the original for the log.
/// </summary>
internal static class StorageErrors
{
    public static bool TryTranslate(Exception exception, out FileSystemException translated)
    {
        translated = exception switch
        {
            FileSystemException => null!,
            _ when StorageConditions.Classify(exception) is { } condition => condition,
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
