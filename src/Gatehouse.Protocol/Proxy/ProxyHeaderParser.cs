using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Gatehouse.Protocol.Proxy;

public enum ProxyParseStatus
{
    Complete,
    NeedMoreData,
    Invalid,
}

/// <summary>
/// Parses the PROXY protocol header (HAProxy's specification, versions 1 and 2) at the start of a connection.
/// Pure: it sees bytes and says how many belong to the header, so the caller consumes exactly those and not the
/// client's first bytes behind them (a TLS ClientHello, or upload data on a passive connection).
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>The longest version 1 line, CRLF included.</summary>
    public const int MaxVersion1Length = 107;

    /// <summary>Enough to tell the versions apart, and shorter than either's shortest header.</summary>
    public const int SignaturePrefixLength = 8;

    private const int Version2FixedLength = 16;

    /// <summary>Longer address blocks would be TLVs, which this server does not need; refusing them bounds the read.</summary>
    public const int MaxVersion2AddressLength = 512;

    private static ReadOnlySpan<byte> Version2Signature => "\r\n\r\n\0\r\nQUIT\n"u8;

    private static ReadOnlySpan<byte> Version1Signature => "PROXY "u8;

    /// <summary>True when the bytes so far could still be the start of a PROXY header.</summary>
    public static bool CouldBeHeader(ReadOnlySpan<byte> data)
    {
        var length = Math.Min(data.Length, Version2Signature.Length);
        if (data[..length].SequenceEqual(Version2Signature[..length]))
        {
            return true;
        }

        length = Math.Min(data.Length, Version1Signature.Length);
        return data[..length].SequenceEqual(Version1Signature[..length]);
    }

    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> data, out ProxyHeader? header, out int consumed, out string error)
    {
        header = null;
        consumed = 0;
        error = string.Empty;
        if (data.Length < SignaturePrefixLength)
        {
            return Fail(CouldBeHeader(data) ? ProxyParseStatus.NeedMoreData : ProxyParseStatus.Invalid, "the connection does not start with a PROXY protocol header", out error);
        }

        if (data.StartsWith(Version1Signature))
        {
            return ParseVersion1(data, out header, out consumed, out error);
        }

        if (data.StartsWith(Version2Signature[..Math.Min(data.Length, Version2Signature.Length)]))
        {
            return ParseVersion2(data, out header, out consumed, out error);
        }

        return Fail(ProxyParseStatus.Invalid, "the connection does not start with a PROXY protocol header", out error);
    }

    private static ProxyParseStatus ParseVersion1(ReadOnlySpan<byte> data, out ProxyHeader? header, out int consumed, out string error)
    {
        header = null;
        consumed = 0;
        var window = data[..Math.Min(data.Length, MaxVersion1Length)];
        var end = window.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return Fail(data.Length >= MaxVersion1Length ? ProxyParseStatus.Invalid : ProxyParseStatus.NeedMoreData,
                $"PROXY v1 line longer than {MaxVersion1Length} bytes", out error);
        }

        var line = Encoding.ASCII.GetString(window[..end]);
        var fields = line.Split(' ');
        consumed = end + 2;
        if (fields.Length >= 2 && fields[1] == "UNKNOWN")
        {
            header = new ProxyHeader(1, null, null);
            error = string.Empty;
            return ProxyParseStatus.Complete;
        }

        if (fields.Length != 6 || (fields[1] != "TCP4" && fields[1] != "TCP6"))
        {
            return Fail(ProxyParseStatus.Invalid, $"malformed PROXY v1 line '{Printable(line)}'", out error);
        }

        var family = fields[1] == "TCP4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!TryAddress(fields[2], family, out var source) || !TryAddress(fields[3], family, out var destination)
            || !TryPort(fields[4], out var sourcePort) || !TryPort(fields[5], out var destinationPort))
        {
            return Fail(ProxyParseStatus.Invalid, $"bad address or port in PROXY v1 line '{Printable(line)}'", out error);
        }

        header = new ProxyHeader(1, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        error = string.Empty;
        return ProxyParseStatus.Complete;
    }

    private static ProxyParseStatus ParseVersion2(ReadOnlySpan<byte> data, out ProxyHeader? header, out int consumed, out string error)
    {
        header = null;
        consumed = 0;
        if (data.Length < Version2FixedLength)
        {
            return Fail(ProxyParseStatus.NeedMoreData, "short PROXY v2 header", out error);
        }

        var versionAndCommand = data[12];
        var familyAndTransport = data[13];
        var length = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (versionAndCommand >> 4 != 2 || (versionAndCommand & 0xF) > 1)
        {
            return Fail(ProxyParseStatus.Invalid, $"unsupported PROXY v2 version/command byte 0x{versionAndCommand:x2}", out error);
        }

        if (length > MaxVersion2AddressLength)
        {
            return Fail(ProxyParseStatus.Invalid, $"PROXY v2 address block of {length} bytes (at most {MaxVersion2AddressLength})", out error);
        }

        if (data.Length < Version2FixedLength + length)
        {
            return Fail(ProxyParseStatus.NeedMoreData, "short PROXY v2 header", out error);
        }

        consumed = Version2FixedLength + length;
        var addresses = data.Slice(Version2FixedLength, length);
        var isLocal = (versionAndCommand & 0xF) == 0;
        var family = familyAndTransport >> 4;
        if (isLocal || family == 0)
        {
            header = new ProxyHeader(2, null, null);
            error = string.Empty;
            return ProxyParseStatus.Complete;
        }

        if ((familyAndTransport & 0xF) != 1)
        {
            return Fail(ProxyParseStatus.Invalid, "PROXY v2 header for a transport other than TCP", out error);
        }

        var addressLength = family switch
        {
            1 => 4,
            2 => 16,
            _ => 0,
        };
        if (addressLength == 0 || addresses.Length < (2 * addressLength) + 4)
        {
            return Fail(ProxyParseStatus.Invalid, $"PROXY v2 header with address family {family} or a short address block", out error);
        }

        var source = new IPAddress(addresses[..addressLength]);
        var destination = new IPAddress(addresses.Slice(addressLength, addressLength));
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * addressLength)..]);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(addresses[((2 * addressLength) + 2)..]);
        header = new ProxyHeader(2, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        error = string.Empty;
        return ProxyParseStatus.Complete;
    }

    private static bool TryAddress(string text, System.Net.Sockets.AddressFamily family, out IPAddress address) =>
        IPAddress.TryParse(text, out address!) && address.AddressFamily == family && !text.Contains('%', StringComparison.Ordinal);

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= IPEndPoint.MaxPort && text.Length <= 5;

    private static string Printable(string line) =>
        string.Create(line.Length, line, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] is >= ' ' and < (char)127 ? text[i] : '?';
            }
        });

    private static ProxyParseStatus Fail(ProxyParseStatus status, string message, out string error)
    {
        error = message;
        return status;
    }
}
