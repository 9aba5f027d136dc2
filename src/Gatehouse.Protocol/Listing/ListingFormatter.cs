using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Listing;

/// <summary>
/// Directory listings in the three forms clients parse: ls-style (LIST), names (NLST) and facts (MLSD/MLST).
/// Lines are written as UTF-8 straight into the caller's buffer, so a listing of any size allocates nothing per line.
/// </summary>
public static class ListingFormatter
{
    /// <summary>Room for the longest line: a path of VirtualPath.MaxPathLength characters at 3 UTF-8 bytes each, with its facts or ls columns.</summary>
    public const int MaxLineBytes = 16 * 1024;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly TimeSpan RecentWindow = TimeSpan.FromDays(180);

    /// <summary>"-rw-r--r-- 1 ftp ftp 1234 Nov 21 20:43 name": the form every client's parser knows.</summary>
    public static int WriteUnixLine(FileSystemEntry entry, DateTimeOffset now, Span<byte> destination)
    {
        var modified = entry.LastModified.UtcDateTime;
        var mode = entry.IsDirectory ? "drwxr-xr-x" : "-rw-r--r--";
        return (now.UtcDateTime - modified).Duration() < RecentWindow
            ? Write(destination, Invariant, $"{mode} 1 ftp ftp {entry.Size,12} {modified:MMM dd HH:mm} {entry.Name}")
            : Write(destination, Invariant, $"{mode} 1 ftp ftp {entry.Size,12} {modified:MMM dd  yyyy} {entry.Name}");
    }

    /// <summary>RFC 3659 facts in the order asked for, each "name=value;", then a space and the name.</summary>
    public static int WriteFacts(FileSystemEntry entry, IReadOnlyList<string> facts, string name, bool isHome, Span<byte> destination)
    {
        var written = 0;
        foreach (var fact in facts)
        {
            var rest = destination[written..];
            written += fact switch
            {
                "type" => Write(rest, Invariant, $"type={(entry.IsDirectory ? "dir" : "file")};"),
                "size" when !entry.IsDirectory => Write(rest, Invariant, $"size={entry.Size};"),
                "modify" => Write(rest, Invariant, $"modify={entry.LastModified.UtcDateTime:yyyyMMddHHmmss};"),
                "perm" => Write(rest, Invariant, $"perm={(entry.IsDirectory ? (isHome ? "celmp" : "cdeflmp") : "adfrw")};"),
                "unique" => Write(rest, Invariant, $"unique={entry.UniqueId};"),
                _ => 0,
            };
        }

        return written + Write(destination[written..], Invariant, $" {name}");
    }

    /// <summary>NLST's line: the name alone.</summary>
    public static int WriteName(string name, Span<byte> destination) => Write(destination, Invariant, $"{name}");

    /// <summary>The ls-style line as text, for replies on the control connection (STAT).</summary>
    public static string UnixLine(FileSystemEntry entry, DateTimeOffset now) => AsText((entry, now), static (state, line) => WriteUnixLine(state.entry, state.now, line));

    /// <summary>The facts line as text, for replies on the control connection (MLST).</summary>
    public static string Facts(FileSystemEntry entry, IReadOnlyList<string> facts, string name, bool isHome = false) =>
        AsText((entry, facts, name, isHome), static (state, line) => WriteFacts(state.entry, state.facts, state.name, state.isHome, line));

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

    private static int Write(
        Span<byte> destination,
        IFormatProvider provider,
        [InterpolatedStringHandlerArgument(nameof(destination), nameof(provider))] ref Utf8.TryWriteInterpolatedStringHandler line) =>
        Utf8.TryWrite(destination, provider, ref line, out var written)
            ? written
            : throw new InvalidOperationException($"A listing line is longer than the {MaxLineBytes} bytes a name of legal length can need.");

    private static string AsText<TState>(TState state, Func<TState, Span<byte>, int> write)
    {
        var line = ArrayPool<byte>.Shared.Rent(MaxLineBytes);
        try
        {
            return Encoding.UTF8.GetString(line, 0, write(state, line.AsSpan(0, MaxLineBytes)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(line);
        }
    }
}
