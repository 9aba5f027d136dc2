namespace Gatehouse.Protocol.Parsing;

public static class FtpCommandParser
{
    /// <summary>Splits a decoded line (no CRLF) into verb and argument. Verbs are 1-8 ASCII letters.</summary>
    public static bool TryParse(string line, out FtpCommand command, out string error)
    {
        command = new FtpCommand(string.Empty, string.Empty);
        error = string.Empty;
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? line : line[..space];
        var argument = space < 0 ? string.Empty : line[(space + 1)..];
        if (verb.Length == 0)
        {
            error = "Empty command line.";
            return false;
        }

        if (verb.Length > ProtocolLimits.MaxVerbLength || !verb.All(char.IsAsciiLetter))
        {
            error = "Syntax error: a command starts with a word of letters, for example LIST.";
            return false;
        }

        command = new FtpCommand(verb.ToUpperInvariant(), argument);
        return true;
    }
}
