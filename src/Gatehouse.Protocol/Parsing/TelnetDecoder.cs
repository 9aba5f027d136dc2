namespace Gatehouse.Protocol.Parsing;

/// <summary>
/// Strips Telnet control sequences from a control-connection line (RFC 959 section 4.1.3):
/// IAC IAC is a literal 0xFF, option negotiation (IAC WILL/WONT/DO/DONT x) is dropped, and the
/// two-byte signals (IAC IP, IAC DM, ...) that precede an urgent ABOR are dropped.
/// </summary>
public static class TelnetDecoder
{
    public const byte Iac = 255;
    public const byte Dont = 254;
    public const byte Will = 251;

    /// <returns>The number of bytes written to <paramref name="output"/> (never more than the input length).</returns>
    public static int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        var i = 0;
        while (i < input.Length)
        {
            var next = input[i..].IndexOf(Iac);
            if (next < 0)
            {
                input[i..].CopyTo(output[written..]);
                return written + input.Length - i;
            }

            input.Slice(i, next).CopyTo(output[written..]);
            written += next;
            i += next;
            if (i + 1 >= input.Length)
            {
                return written;
            }

            var code = input[i + 1];
            if (code == Iac)
            {
                output[written++] = Iac;
                i += 2;
            }
            else if (code is >= Will and <= Dont)
            {
                i += 3;
            }
            else
            {
                i += 2;
            }
        }

        return written;
    }
}
