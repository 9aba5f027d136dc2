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
/// Interrupted uploads kept for resuming (<see cref="PartialUploads"/>) are not temporary files of a running upload:
/// they go when not written for <paramref name="PartialMaxAge"/>, whatever process kept them.
/// </summary>
/// <param name="Now">The sweep's clock.</param>
/// <param name="AloneSince">When this process started, if no other process writes to its homes and folders; null in a cluster.</param>
/// <param name="PartialMaxAge">How long a kept partial upload waits for its client (Storage:PartialUploadMaxAgeHours); null: for ever.</param>
public sealed record AbandonedUploadRules(DateTimeOffset Now, DateTimeOffset? AloneSince, TimeSpan? PartialMaxAge = null)
{
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan CountedAfter = TimeSpan.FromMinutes(15);

    public static readonly TimeSpan RemovedAfter = TimeSpan.FromHours(1);

    internal bool MayRemove(string name, DateTimeOffset lastWritten) => PartialUploads.IsPartialName(name)
        ? Now - lastWritten > PartialMaxAge
        : lastWritten < AloneSince || Now - lastWritten > RemovedAfter;
}

public enum AbandonedUploadKind
{
    /// <summary>The temporary file of an upload no process runs any more: removed.</summary>
    Abandoned,

    /// <summary>A partial upload its client did not resume within the maximum age: removed.</summary>
    ExpiredPartial,

    /// <summary>
    /// The temporary file of an upload that was continuing a partial when its process died: cut back to the partial's
    /// length and put back under the partial's name (<see cref="PartialUploads.ResumingName"/>).
    /// </summary>
    RestoredPartial,
}

/// <summary>A temporary upload file the sweep removed or, for <see cref="AbandonedUploadKind.RestoredPartial"/>, put back.</summary>
public sealed record AbandonedUpload(string Path, long Bytes, TimeSpan Age, AbandonedUploadKind Kind);

/// <summary>
/// What one tree held: removed abandoned uploads, the temporary files of other processes left in place, and the partial
/// uploads removed for their age (counted in the area's usage until then, unlike the others).
/// </summary>
public readonly record struct AbandonedUploadSweepResult(
    int Removed, long RemovedBytes, int Kept, long KeptBytes, long CountedBytes, int PartialsRemoved = 0, long PartialBytesRemoved = 0, int PartialsRestored = 0)
{
    public static AbandonedUploadSweepResult operator +(AbandonedUploadSweepResult left, AbandonedUploadSweepResult right) =>
        new(left.Removed + right.Removed, left.RemovedBytes + right.RemovedBytes, left.Kept + right.Kept, left.KeptBytes + right.KeptBytes, left.CountedBytes + right.CountedBytes,
            left.PartialsRemoved + right.PartialsRemoved, left.PartialBytesRemoved + right.PartialBytesRemoved, left.PartialsRestored + right.PartialsRestored);
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

            var partial = PartialUploads.IsPartialName(file.Name);
            if (rules.MayRemove(file.Name, LastWritten(file)))
            {
                // Looked at again just before: another node may have renewed its lease since the directory was read.
                file.Refresh();
                if (!file.Exists || file.LinkTarget is not null)
                {
                    continue;
                }

                var (bytes, age) = (file.Length, rules.Now - LastWritten(file));
                // When renewed meanwhile, it is counted below instead.
                var stillAbandoned = rules.MayRemove(file.Name, LastWritten(file));
                if (stillAbandoned && PartialUploads.TryParseResuming(file.Name, out var partialName, out var length) && TryRestore(file, partialName, length))
                {
                    result = result with { PartialsRestored = result.PartialsRestored + 1 };
                    removed(new AbandonedUpload(file.FullName, length, age, AbandonedUploadKind.RestoredPartial));
                    continue;
                }

                if (stillAbandoned && TryDelete(file))
                {
                    result = partial
                        ? result with { PartialsRemoved = result.PartialsRemoved + 1, PartialBytesRemoved = result.PartialBytesRemoved + bytes }
                        : result with { Removed = result.Removed + 1, RemovedBytes = result.RemovedBytes + bytes };
                    removed(new AbandonedUpload(file.FullName, bytes, age, partial ? AbandonedUploadKind.ExpiredPartial : AbandonedUploadKind.Abandoned));
                    continue;
                }
            }

            if (partial)
            {
                // Waiting for its client, and already counted in the area's usage.
                continue;
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

    /// <summary>
    /// Cuts the file of a dead upload back to the partial it continued and gives it that partial's name, unless a newer
    /// partial holds the name (then the file is removed as abandoned). The partial's bytes never left the area's usage.
    /// </summary>
    private static bool TryRestore(FileInfo file, string partialName, long length)
    {
        if (file.Length < length)
        {
            return false;
        }

        try
        {
            using (var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Write, FileShare.None, 1))
            {
                stream.SetLength(length);
            }

            var partial = System.IO.Path.Combine(file.DirectoryName!, partialName);
            var error = NativeFileApi.Rename(file.FullName, partial, exchange: false);
            if (error is NativeFileApi.InvalidArgument or NativeFileApi.NotImplemented or NativeFileApi.NotSupported)
            {
                File.Move(file.FullName, partial, overwrite: false);
                return true;
            }

            return error == 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

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
