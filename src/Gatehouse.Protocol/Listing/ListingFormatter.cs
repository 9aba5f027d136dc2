using System.Globalization;
using System.Text;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Listing;

/// <summary>Directory listings in the three forms clients parse: ls-style (LIST), names (NLST) and facts (MLSD/MLST).</summary>
public static class ListingFormatter
{
    private static readonly TimeSpan RecentWindow = TimeSpan.FromDays(180);

    /// <summary>"-rw-r--r-- 1 ftp ftp 1234 Nov 21 20:43 name": the form every client's parser knows.</summary>
    public static string UnixLine(FileSystemEntry entry, DateTimeOffset now)
    {
        var modified = entry.LastModified.ToUniversalTime();
        var date = (now - modified).Duration() < RecentWindow
            ? modified.ToString("MMM dd HH:mm", CultureInfo.InvariantCulture)
            : modified.ToString("MMM dd  yyyy", CultureInfo.InvariantCulture);
        var mode = entry.IsDirectory ? "drwxr-xr-x" : "-rw-r--r--";
        return string.Create(CultureInfo.InvariantCulture, $"{mode} 1 ftp ftp {entry.Size,12} {date} {entry.Name}");
    }

    /// <summary>RFC 3659 facts in the order asked for, each "name=value;", then a space and the name.</summary>
    public static string Facts(FileSystemEntry entry, IReadOnlyList<string> facts, string name, bool isHome = false)
    {
        var builder = new StringBuilder();
        foreach (var fact in facts)
        {
            var value = fact switch
            {
                "type" => entry.IsDirectory ? "dir" : "file",
                "size" => entry.IsDirectory ? null : entry.Size.ToString(CultureInfo.InvariantCulture),
                "modify" => Timestamp(entry.LastModified),
                "perm" => entry.IsDirectory ? (isHome ? "celmp" : "cdeflmp") : "adfrw",
                "unique" => entry.UniqueId,
                _ => null,
            };
            if (value is not null)
            {
                builder.Append(fact).Append('=').Append(value).Append(';');
            }
        }

        return builder.Append(' ').Append(name).ToString();
    }

    /// <summary>RFC 3659 time-val: YYYYMMDDHHMMSS in UTC.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    public static bool TryParseTimestamp(string text, out DateTimeOffset time)
    {
        var main = text.Split('.')[0];
        var ok = DateTime.TryParseExact(main, "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed);
        time = ok ? new DateTimeOffset(parsed, TimeSpan.Zero) : default;
        return ok;
    }
}
