namespace Gatehouse.Storage.Tests;

/// <summary>Which failures of the operating system are expected conditions of the storage, and what each becomes.</summary>
public sealed class StorageConditionsTests
{
    [Theory]
    [InlineData(36, FileSystemError.InvalidName, "File name or path too long for the server's file system.")]
    [InlineData(28, FileSystemError.InsufficientStorage, "Not enough storage space on the server.")]
    [InlineData(122, FileSystemError.InsufficientStorage, "Not enough storage space on the server.")]
    [InlineData(30, FileSystemError.PermissionDenied, "The server's file system is read-only.")]
    [InlineData(13, FileSystemError.PermissionDenied, "Permission denied by the server's file system.")]
    [InlineData(1, FileSystemError.PermissionDenied, "Permission denied by the server's file system.")]
    [InlineData(39, FileSystemError.DirectoryNotEmpty, "Directory is not empty.")]
    public void An_error_number_dotnet_keeps_as_the_hresult_is_a_condition(int errno, FileSystemError error, string message)
    {
        var failure = new IOException("/srv/ftp/home/alice/x: the operating system's own words", errno);
        var condition = StorageConditions.Classify(failure);
        Assert.Equal((error, message, failure), (condition?.Error, condition?.Message, condition?.InnerException));
    }

    [Fact]
    public void The_exception_types_dotnet_has_for_conditions_are_classified_too()
    {
        Assert.Equal(FileSystemError.InvalidName, StorageConditions.Classify(new PathTooLongException())?.Error);
        Assert.Equal(FileSystemError.PermissionDenied, StorageConditions.Classify(new UnauthorizedAccessException())?.Error);
        Assert.Equal(FileSystemError.NotFound, StorageConditions.Classify(new FileNotFoundException())?.Error);
        Assert.Equal(FileSystemError.NotFound, StorageConditions.Classify(new DirectoryNotFoundException())?.Error);
    }

    [Fact]
    public void A_file_system_exception_stays_itself_and_anything_else_is_no_condition()
    {
        var known = new FileSystemException(FileSystemError.QuotaExceeded, "Quota exceeded.");
        Assert.Same(known, StorageConditions.Classify(known));
        Assert.Null(StorageConditions.Classify(new IOException("Input/output error", 5)));
        Assert.Null(StorageConditions.Classify(new IOException("no error number")));
        Assert.Null(StorageConditions.Classify(new InvalidOperationException()));
        Assert.Null(StorageConditions.Classify(new NullReferenceException()));
    }

    [Fact]
    public void What_the_runtime_throws_for_a_name_too_long_for_the_disk_is_that_condition()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-conditions-");
        try
        {
            var failure = Record.Exception(() => Directory.CreateDirectory(Path.Combine(directory.FullName, new string('é', 200))));
            Assert.Equal(FileSystemError.InvalidName, StorageConditions.Classify(failure!)?.Error);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
