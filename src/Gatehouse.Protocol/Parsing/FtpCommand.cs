namespace Gatehouse.Protocol.Parsing;

/// <summary>One command line: an upper-cased verb and the argument exactly as sent (spaces in file names kept).</summary>
public sealed record FtpCommand(string Verb, string Argument)
{
    public bool HasArgument => Argument.Length > 0;

    /// <summary>Text safe to log: the password never reaches a log.</summary>
    public string ToLogString() => Verb == "PASS" ? "PASS ****" : HasArgument ? $"{Verb} {Argument}" : Verb;
}
