namespace Gatehouse.Storage.Quotas;

/// <summary>
/// Counts what a directory tree really holds. Uploads in progress and symbolic links are not counted; interrupted
/// uploads kept for resuming count in the bytes, not as files, also while an upload continues one.
/// </summary>
public static class UsageScanner
{
    public static StorageUsage Scan(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return default;
        }

        long bytes = 0;
        long files = 0;
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            ReturnSpecialDirectories = false,
        };
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", options))
        {
            if (Local.PartialUploads.IsPartialName(file.Name))
            {
                bytes += file.Length;
                continue;
            }

            if (Local.PartialUploads.TryParseResuming(file.Name, out _, out var partialLength))
            {
                bytes += Math.Min(partialLength, file.Length);
                continue;
            }

            if (file.Name.StartsWith(PathValidation.TemporaryUploadPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            bytes += file.Length;
            files++;
        }

        return new StorageUsage(bytes, files);
    }
}
