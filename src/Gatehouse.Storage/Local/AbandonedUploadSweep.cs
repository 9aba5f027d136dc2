namespace Gatehouse.Storage.Local;

/// <summary>
/// Which temporary upload files no running upload can own any more. A file an upload of this process owns
/// (<see cref="TemporaryUploads"/>) is never one. Any other is abandoned when
/// <list type="bullet">
/// <item>this node is alone on its storage (<paramref name="AloneSince"/>: SQLite account store) and the file was last
/// written before this process started: only the process before it can have written it, and that one is gone (the
/// case after a crash and restart: such files go at the first sweep, whatever their age); or</item>
/// <item>it was last written longer than <see cref="RemovedAfter"/> ago. Every running upload, on any node, renews its
/// file's last-write time at least every <see cref="LeaseRenewal"/> (by writing, or by
/// <see cref="TemporaryUploads.RenewLeases"/> while its client stalls), so a file of a live upload on another node of a
/// cluster is never that old; the margin covers missed renewals and clocks a little apart.</item>
/// </list>
/// A file of another process that has missed a few renewals (<see cref="CountedAfter"/>) but may not be removed yet
/// is most likely abandoned: it counts against its area's quota until it goes.
/// </summary>
/// <param name="Now">The sweep's clock.</param>
/// <param name="AloneSince">When this process started, if no other process writes to its homes and folders; null in a cluster.</param>
public sealed record AbandonedUploadRules(DateTimeOffset Now, DateTimeOffset? AloneSince)
{
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan CountedAfter = TimeSpan.FromMinutes(15);

    public static readonly TimeSpan RemovedAfter = TimeSpan.FromHours(1);

    internal bool MayRemove(DateTimeOffset lastWritten) =>
        lastWritten < AloneSince || Now - lastWritten > RemovedAfter;
}

/// <summary>A temporary upload file the sweep removed.</summary>
public sealed record AbandonedUpload(string Path, long Bytes, TimeSpan Age);

/// <summary>What one tree held: removed abandoned uploads, and the temporary files of other processes left in place.</summary>
public readonly record struct AbandonedUploadSweepResult(int Removed, long RemovedBytes, int Kept, long KeptBytes, long CountedBytes)
{
    public static AbandonedUploadSweepResult operator +(AbandonedUploadSweepResult left, AbandonedUploadSweepResult right) =>
        new(left.Removed + right.Removed, left.RemovedBytes + right.RemovedBytes, left.Kept + right.Kept, left.KeptBytes + right.KeptBytes, left.CountedBytes + right.CountedBytes);
}

/// <summary>
/// Removes abandoned temporary upload files (<see cref="AbandonedUploadRules"/>) from one directory tree. Only files with
/// the temporary prefix are looked at; symbolic links are neither followed nor removed.
/// </summary>
public static class AbandonedUploadSweep
{
    /// <param name="removed">Told of each file removed.</param>
    public static AbandonedUploadSweepResult Run(string root, AbandonedUploadRules rules, Action<AbandonedUpload> removed)
    {
        var result = default(AbandonedUploadSweepResult);
        if (!Directory.Exists(root))
        {
            return result;
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            MatchType = MatchType.Simple,
        };
        foreach (var file in new DirectoryInfo(root).EnumerateFiles(PathValidation.TemporaryUploadPrefix + "*", options))
        {
            if (TemporaryUploads.IsOwned(file.Name))
            {
                continue;
            }

            if (rules.MayRemove(LastWritten(file)))
            {
                // Looked at again just before: another node may have renewed its lease since the directory was read.
                file.Refresh();
                if (!file.Exists || file.LinkTarget is not null)
                {
                    continue;
                }

                var (bytes, age) = (file.Length, rules.Now - LastWritten(file));
                if (rules.MayRemove(LastWritten(file)) && TryDelete(file))
                {
                    result = result with { Removed = result.Removed + 1, RemovedBytes = result.RemovedBytes + bytes };
                    removed(new AbandonedUpload(file.FullName, bytes, age));
                    continue;
                }
            }

            var counted = rules.Now - LastWritten(file) > AbandonedUploadRules.CountedAfter;
            result = result with
            {
                Kept = result.Kept + 1,
                KeptBytes = result.KeptBytes + file.Length,
                CountedBytes = result.CountedBytes + (counted ? file.Length : 0),
            };
        }

        return result;
    }

    private static DateTimeOffset LastWritten(FileInfo file) => new(file.LastWriteTimeUtc, TimeSpan.Zero);

    private static bool TryDelete(FileInfo file)
    {
        try
        {
            // unlink: removes the name itself, never what a link points to.
            file.Delete();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
