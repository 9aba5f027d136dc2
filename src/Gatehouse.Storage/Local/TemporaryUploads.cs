using System.Collections.Concurrent;

namespace Gatehouse.Storage.Local;

/// <summary>
/// The hidden files uploads are written to (<see cref="PathValidation.TemporaryUploadPrefix"/> and a fresh GUID,
/// beside the final name), and which of them belong to uploads running in this process. A name is claimed before its
/// file is created and released only after the file is renamed into place or deleted, so a file that exists under a
/// name this process does not own is never one of its running uploads (<see cref="AbandonedUploadSweep"/>).
/// </summary>
public static class TemporaryUploads
{
    /// <summary>File name to full path, for every upload of this process from before its file exists until after it is gone.</summary>
    private static readonly ConcurrentDictionary<string, string> Owned = new(StringComparer.Ordinal);

    public static bool IsTemporaryName(string name) => name.StartsWith(PathValidation.TemporaryUploadPrefix, StringComparison.Ordinal);

    /// <summary>Whether an upload running in this process writes to a file of this name.</summary>
    public static bool IsOwned(string name) => Owned.ContainsKey(name);

    /// <summary>
    /// Sets the last-write time of every file this process owns to now: the lease that tells other nodes on shared
    /// storage that an upload stalled by its client is still alive (writing renews it too).
    /// </summary>
    public static void RenewLeases()
    {
        foreach (var path in Owned.Values)
        {
            try
            {
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Committed or discarded since the list was read.
            }
        }
    }

    /// <summary>A new temporary path in <paramref name="directory"/>, owned by this process until <see cref="Release"/>.</summary>
    /// <param name="name">A unique name of the upload's own; by default the prefix and a fresh GUID.</param>
    internal static string Claim(string directory, string? name = null)
    {
        name ??= PathValidation.TemporaryUploadPrefix + Guid.NewGuid().ToString("N");
        var path = Path.Combine(directory, name);
        Owned[name] = path;
        return path;
    }

    /// <summary>Once the file under <paramref name="path"/> is renamed into place or deleted.</summary>
    internal static void Release(string path) => Owned.TryRemove(Path.GetFileName(path), out _);
}
