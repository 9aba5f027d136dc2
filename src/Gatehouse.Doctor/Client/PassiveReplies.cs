using System.Net;

namespace Gatehouse.Doctor.Client;

/// <summary>
/// Reads the data address out of 227 (PASV, RFC 959) and 229 (EPSV, RFC 2428) replies, as a client must: tolerant
/// of the words around the numbers, which RFC 959 leaves to the server (RFC 1123 4.1.2.6 tells clients to scan for
/// them), strict about the numbers themselves. The doctor's own parser, not the server's, so that a bug in the
/// server's replies cannot hide behind the same bug in the code that reads them.
/// </summary>
public static class PassiveReplies
{
    /// <summary>Any number larger than this is refused whatever its field; reading stops growing it here.</summary>
    private const int TooLarge = 1_000_000;

    /// <summary>
    /// A 227 reply's address: the first list of exactly six comma-separated numbers in its text, with or without
    /// parentheses, after whatever text (<c>Entering Passive Mode (192,0,2,7,195,80).</c>,
    /// <c>Entering passive mode. 192,0,2,7,195,80</c>, <c>=192,0,2,7,195,80</c>); a space may follow each comma.
    /// Each number must be 0-255 and the port (p1 * 256 + p2) 1-65535; a list of five or seven numbers is no address.
    /// </summary>
    public static bool TryParsePasv(ServerReply reply, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.None, 0);
        if (reply.Code != 227)
        {
            return false;
        }

        var text = string.Join(" ", reply.Lines);
        var position = 0;
        while (NextNumberList(text, ref position) is { } numbers)
        {
            if (numbers.Count != 6)
            {
                continue;
            }

            var port = numbers[4] * 256 + numbers[5];
            if (numbers.Exists(number => number > 255) || port == 0)
            {
                return false;
            }

            endpoint = new IPEndPoint(new IPAddress([(byte)numbers[0], (byte)numbers[1], (byte)numbers[2], (byte)numbers[3]]), port);
            return true;
        }

        return false;
    }

    /// <summary>
    /// A 229 reply's port: <c>(|||port|)</c> after whatever text, with any delimiter RFC 2428 allows (a printable
    /// ASCII character, here not a digit, which would make the port ambiguous), the same one four times; the
    /// closing parenthesis may be missing, as curl and FileZilla accept. The port must be 1-65535.
    /// </summary>
    public static bool TryParseEpsv(ServerReply reply, out int port)
    {
        port = 0;
        if (reply.Code != 229)
        {
            return false;
        }

        var text = string.Join(" ", reply.Lines);
        for (var open = text.IndexOf('('); open >= 0; open = text.IndexOf('(', open + 1))
        {
            if (TryReadEpsvPort(text, open + 1, out port))
            {
                return true;
            }
        }

        port = 0;
        return false;
    }

    /// <summary>&lt;d&gt;&lt;d&gt;&lt;d&gt;port&lt;d&gt; from <paramref name="start"/>, just after an opening parenthesis.</summary>
    private static bool TryReadEpsvPort(string text, int start, out int port)
    {
        port = 0;
        if (start + 4 >= text.Length)
        {
            return false;
        }

        var delimiter = text[start];
        if (delimiter is < '!' or > '~' || char.IsAsciiDigit(delimiter) || text[start + 1] != delimiter || text[start + 2] != delimiter
            || !char.IsAsciiDigit(text[start + 3]))
        {
            return false;
        }

        var position = start + 3;
        port = ReadNumber(text, ref position);
        return position < text.Length && text[position] == delimiter && port is > 0 and <= 65535;
    }

    /// <summary>
    /// The next list of numbers separated by commas at or after <paramref name="position"/>, which is left after it;
    /// null when no digit is left. A list starts at a digit and ends where a comma is not followed by a number.
    /// </summary>
    private static List<int>? NextNumberList(string text, ref int position)
    {
        while (position < text.Length && !char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        if (position == text.Length)
        {
            return null;
        }

        var numbers = new List<int>();
        while (true)
        {
            numbers.Add(ReadNumber(text, ref position));
            if (position == text.Length || text[position] != ',')
            {
                return numbers;
            }

            var next = position + 1;
            while (next < text.Length && text[next] == ' ')
            {
                next++;
            }

            if (next == text.Length || !char.IsAsciiDigit(text[next]))
            {
                return numbers;
            }

            position = next;
        }
    }

    /// <summary>The ASCII digits at <paramref name="position"/> as a number, at most <see cref="TooLarge"/>.</summary>
    private static int ReadNumber(string text, ref int position)
    {
        var value = 0;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            value = Math.Min(value * 10 + (text[position] - '0'), TooLarge);
            position++;
        }

        return value;
    }
}
