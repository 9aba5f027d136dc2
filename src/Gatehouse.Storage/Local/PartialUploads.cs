using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Storage.Local;

/// <summary>
/// Where an interrupted new upload is kept for its client to resume (user/group setting <c>resume-uploads</c>): a hidden
/// file beside the name it was going to, named from the uploading user and that name alone, so every node sharing the
/// storage finds the same file and no user ever resumes another's. The name starts with
/// <see cref="PathValidation.TemporaryUploadPrefix"/>, so it is reserved, never listed, never served and never renamed
/// to by a client, like every temporary upload file. An upload that continues a partial writes to a temporary file
/// whose name also says which partial it took and how long that was (<see cref="ResumingName"/>), so that after a crash
/// the sweep can put the partial back as it was instead of removing it with the crashed attempt.
/// </summary>
public static class PartialUploads
{
    public const string Prefix = PathValidation.TemporaryUploadPrefix + "partial-";

    private const int KeyLength = 32;

    /// <summary>A kept partial upload's name (not that of an upload continuing one).</summary>
    public static bool IsPartialName(string name) => name.Length == Prefix.Length + KeyLength && name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The temporary name of an upload continuing <paramref name="partialName"/>, which was <paramref name="length"/> bytes long.</summary>
    internal static string ResumingName(string partialName, long length) =>
        string.Create(CultureInfo.InvariantCulture, $"{partialName}.{length}.{Guid.NewGuid():N}");

    /// <summary>Reads a name made by <see cref="ResumingName"/>: the partial it continues and that partial's length.</summary>
    public static bool TryParseResuming(string name, out string partialName, out long length)
    {
        partialName = string.Empty;
        length = 0;
        var parts = name.Split('.');
        // "", "gatehouse-upload-partial-KEY", "LENGTH", "GUID"
        if (parts.Length != 4 || !IsPartialName("." + parts[1])
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length <= 0)
        {
            return false;
        }

        partialName = "." + parts[1];
        return true;
    }

    /// <summary>
    /// The partial file's name for <paramref name="owner"/>'s upload to <paramref name="fileName"/>: 128 bits of SHA-256
    /// over both, the owner's length first so that no other pair of strings gives the same input.
    /// </summary>
    public static string NameFor(string owner, string fileName)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"{owner.Length}:{owner}/{fileName}"));
        return Prefix + Convert.ToHexStringLower(key.AsSpan(0, 16));
    }

    /// <summary>The partial file beside <paramref name="finalPath"/>.</summary>
    internal static string PathFor(string owner, string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath)!, NameFor(owner, Path.GetFileName(finalPath)));

    /// <summary>The length of the partial file at <paramref name="partialPath"/>, or null when there is none (a link is never one).</summary>
    internal static long? Length(string partialPath)
    {
        if (NativeFileApi.LinkStatus(partialPath, out var error) is { } status)
        {
            return status is { IsDirectory: false, IsLink: false } ? status.Size : null;
        }

        if (error != NativeFileApi.NotImplemented)
        {
            return null;
        }

        var file = new FileInfo(partialPath);
        return file.Exists && file.LinkTarget is null ? file.Length : null;
    }
}
