using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Doctor;

/// <summary>Reads the data address out of 227 (PASV, RFC 959) and 229 (EPSV, RFC 2428) replies.</summary>
public static partial class PassiveReplies
{
    public static bool TryParsePasv(FtpReply reply, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.None, 0);
        var match = reply.Code == 227 ? SixNumbers().Match(string.Join(" ", reply.Lines)) : Match.Empty;
        return match.Success && ActiveModeParser.TryParsePort(match.Value, out endpoint, out _);
    }

    public static bool TryParseEpsv(FtpReply reply, out int port)
    {
        port = 0;
        var match = reply.Code == 229 ? EpsvPort().Match(string.Join(" ", reply.Lines)) : Match.Empty;
        return match.Success
            && int.TryParse(match.Groups["port"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is > 0 and <= 65535;
    }

    [GeneratedRegex(@"\d{1,3}(,\d{1,3}){5}")]
    private static partial Regex SixNumbers();

    // (|||port|) with any printable delimiter, the same one four times.
    [GeneratedRegex(@"\((?<d>[!-~])\k<d>\k<d>(?<port>\d{1,5})\k<d>\)")]
    private static partial Regex EpsvPort();
}
