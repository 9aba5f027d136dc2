namespace Gatehouse.Storage;

/// <summary>Rules every single path component must satisfy.</summary>
public static class PathValidation
{
    /// <summary>Prefix of in-progress upload files; such names are hidden and cannot be addressed.</summary>
    public const string TemporaryUploadPrefix = ".gatehouse-upload-";

    public static bool TryValidateName(string name, out string error)
    {
        error = string.Empty;
        if (name.Length == 0 || name == "." || name == "..")
        {
            error = $"'{name}' is not a valid file name.";
            return false;
        }

        // The disk counts bytes: a character outside ASCII takes 2 to 4 of them in UTF-8.
        var bytes = System.Text.Encoding.UTF8.GetByteCount(name);
        if (bytes > VirtualPath.MaxNameLength)
        {
            error = $"File name too long: {bytes} bytes in UTF-8, the limit is {VirtualPath.MaxNameLength}.";
            return false;
        }

        foreach (var c in name)
        {
            if (c == '\0')
            {
                error = "NUL bytes are not allowed in file names.";
                return false;
            }

            if (char.IsControl(c))
            {
                error = "Control characters are not allowed in file names.";
                return false;
            }

            if (c is '/' or '\\')
            {
                error = "Path separators are not allowed in file names.";
                return false;
            }
        }

        if (name.StartsWith(TemporaryUploadPrefix, StringComparison.Ordinal))
        {
            error = $"Names starting with '{TemporaryUploadPrefix}' are reserved for uploads in progress.";
            return false;
        }

        return true;
    }

    public static void EnsureValidName(string name)
    {
        if (!TryValidateName(name, out var error))
        {
            throw new FileSystemException(FileSystemError.InvalidName, error);
        }
    }
}
