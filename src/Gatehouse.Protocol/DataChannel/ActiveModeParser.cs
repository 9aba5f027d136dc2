using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>Parses PORT (RFC 959) and EPRT (RFC 2428) arguments. Policy is checked separately.</summary>
public static class ActiveModeParser
{
    public static bool TryParsePort(string argument, out IPEndPoint endpoint, out string error)
    {
        endpoint = new IPEndPoint(IPAddress.None, 0);
        error = "Syntax: PORT h1,h2,h3,h4,p1,p2 with each number from 0 to 255.";
        var parts = argument.Trim().Split(',');
        if (parts.Length != 6)
        {
            return false;
        }

        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (!byte.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        endpoint = new IPEndPoint(new IPAddress(bytes.AsSpan(0, 4)), bytes[4] << 8 | bytes[5]);
        return true;
    }

    public static bool TryParseEprt(string argument, out IPEndPoint endpoint, out string error, out bool unsupportedProtocol)
    {
        endpoint = new IPEndPoint(IPAddress.None, 0);
        unsupportedProtocol = false;
        error = "Syntax: EPRT |1|192.0.2.1|6275| or EPRT |2|2001:db8::1|6275|.";
        if (argument.Length < 2)
        {
            return false;
        }

        var delimiter = argument[0];
        if (delimiter is < (char)33 or > (char)126 || char.IsAsciiDigit(delimiter))
        {
            return false;
        }

        var fields = argument.Split(delimiter);
        if (fields.Length != 5 || fields[0].Length != 0 || fields[4].Length != 0)
        {
            return false;
        }

        var family = fields[1] switch
        {
            "1" => AddressFamily.InterNetwork,
            "2" => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unknown,
        };
        if (family == AddressFamily.Unknown)
        {
            unsupportedProtocol = true;
            error = "Network protocol not supported, use (1,2).";
            return false;
        }

        if (!IPAddress.TryParse(fields[2], out var address) || address.AddressFamily != family
            || !int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
