namespace Gatehouse.Doctor.Client;

/// <summary>The server answered <paramref name="command"/> by writing <paramref name="text"/> in plain text into the TLS connection.</summary>
internal sealed class PlainTextInTlsException(string command, string text, Exception cause)
    : IOException($"the server answered {command} in plain text inside TLS: {text}", cause)
{
    /// <summary>The command's verb ("PASS"), never its argument.</summary>
    public string Command => command;

    public string Text => text;
}
