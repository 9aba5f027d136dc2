using System.Runtime.InteropServices;

namespace Gatehouse.Storage.Local;

/// <summary>
/// Puts a finished upload under its final name in one step and says exactly what it replaced, even while another
/// process (another node on shared storage) writes the same name: RENAME_EXCHANGE swaps the new file in and the old
/// one out to the upload's private temporary name, where it is measured and deleted; when the name is free,
/// RENAME_NOREPLACE takes it unless someone just did, and then the exchange is tried again. Readers only ever find a
/// complete file under the name. File systems without these flags (some network file systems) get a plain rename
/// after a measurement, whose accounting can be off by one file when two writers race.
/// </summary>
internal static class AtomicReplace
{
    private const int Attempts = 16;

    /// <returns>The size of the file <paramref name="final"/> held before, or null when it held none.</returns>
    public static long? Move(string temporary, string final)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var error = NativeFileApi.Rename(temporary, final, exchange: true);
            if (error == 0)
            {
                return TakeReplaced(temporary, final);
            }

            if (error == NativeFileApi.NoSuchFile)
            {
                error = NativeFileApi.Rename(temporary, final, exchange: false);
                if (error == 0)
                {
                    return null;
                }

                if (error == NativeFileApi.AlreadyExists)
                {
                    continue;
                }
            }

            if (error is NativeFileApi.InvalidArgument or NativeFileApi.NotImplemented or NativeFileApi.NotSupported)
            {
                long? replaced = File.Exists(final) ? new FileInfo(final).Length : null;
                File.Move(temporary, final, overwrite: true);
                return replaced;
            }

            // The error number as HResult, as .NET gives it, so StorageConditions sees a full disk or a name too long.
            throw new IOException($"Could not move the upload into place: {Marshal.GetPInvokeErrorMessage(error)}.", error);
        }

        throw new IOException($"Could not move the upload into place: the name kept changing under {Attempts} attempts.");
    }

    private static long TakeReplaced(string temporary, string final)
    {
        var status = NativeFileApi.Status(temporary);
        if (status?.IsDirectory ?? Directory.Exists(temporary))
        {
            // A directory appeared under the name during the upload: give it its name back.
            NativeFileApi.Rename(temporary, final, exchange: true);
            throw new FileSystemException(FileSystemError.IsADirectory, $"{Path.GetFileName(final)} is now a directory.");
        }

        var size = status?.Size ?? new FileInfo(temporary).Length;
        File.Delete(temporary);
        return size;
    }
}
