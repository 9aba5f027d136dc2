using Gatehouse.Storage.Quotas;

namespace Gatehouse.Storage.Retention;

/// <summary>
/// Deletes files last modified before a cut-off from one directory tree. Directories are kept (partners rely on
/// their structure), symbolic links are neither followed nor deleted, and uploads in progress are never touched.
/// </summary>
public static class RetentionSweep
{
    /// <param name="report">Called for each file deleted (or, in a dry run, that would be deleted) with its path relative to the root.</param>
    /// <returns>What was (or would be) freed.</returns>
    public static StorageUsage Run(string root, DateTimeOffset cutOff, bool dryRun, Action<string, DateTimeOffset, long> report)
    {
        if (!Directory.Exists(root))
        {
            return default;
        }

        var freed = default(StorageUsage);
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
        };
        foreach (var file in new DirectoryInfo(root).EnumerateFiles("*", options))
        {
            var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
            if (modified >= cutOff || file.Name.StartsWith(PathValidation.TemporaryUploadPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var size = file.Length;
            if (!dryRun)
            {
                try
                {
                    file.Delete();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
            }

            freed += new StorageUsage(size, 1);
            report("/" + Path.GetRelativePath(root, file.FullName).Replace('\\', '/'), modified, size);
        }

        return freed;
    }
}
