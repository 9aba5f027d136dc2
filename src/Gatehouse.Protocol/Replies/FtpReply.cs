using System.Text;

namespace Gatehouse.Protocol.Replies;

/// <summary>What the session does after sending a reply.</summary>
public enum AfterReply
{
    Continue,
    UpgradeToTls,
    Close,
}

/// <summary>A reply: a three-digit code and one or more lines of text.</summary>
public sealed record FtpReply(int Code, IReadOnlyList<string> Lines, AfterReply After = AfterReply.Continue)
{
    /// <summary>Returned by handlers that have started a transfer; its replies are sent as it progresses.</summary>
    public static readonly FtpReply Deferred = new(0, []);

    public FtpReply(int code, string text, AfterReply after = AfterReply.Continue)
        : this(code, [text], after)
    {
    }

    public bool IsDeferred => Code == 0;

    /// <summary>
    /// RFC 959 multi-line form: "123-first", continuation lines indented by a space so none can be mistaken
    /// for the end, then "123 last". CR and LF inside text are replaced so a reply can never be split.
    /// </summary>
    public string Format()
    {
        var builder = new StringBuilder();
        if (Lines.Count <= 1)
        {
            builder.Append(Code).Append(' ').Append(Clean(Lines.Count == 0 ? string.Empty : Lines[0])).Append("\r\n");
            return builder.ToString();
        }

        builder.Append(Code).Append('-').Append(Clean(Lines[0])).Append("\r\n");
        for (var i = 1; i < Lines.Count - 1; i++)
        {
            builder.Append(' ').Append(Clean(Lines[i])).Append("\r\n");
        }

        builder.Append(Code).Append(' ').Append(Clean(Lines[^1])).Append("\r\n");
        return builder.ToString();
    }

    /// <summary>RFC 959 quoting of a path inside a 257 reply: embedded quotes are doubled.</summary>
    public static string Quote(string path) => "\"" + path.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Clean(string text) =>
        text.Contains('\r', StringComparison.Ordinal) || text.Contains('\n', StringComparison.Ordinal)
            ? text.Replace('\r', ' ').Replace('\n', ' ')
            : text;
}
