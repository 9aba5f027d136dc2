using System.Buffers;
using System.Text;

namespace Gatehouse.Protocol.Parsing;

/// <summary>Turns one framed line into text: Telnet sequences removed, trailing CR dropped, strict UTF-8 (RFC 2640).</summary>
public static class ControlLineDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecode(in ReadOnlySequence<byte> line, out string text)
    {
        var length = (int)line.Length;
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            line.CopyTo(rented);
            var decodedLength = TelnetDecoder.Decode(rented.AsSpan(0, length), rented);
            var span = rented.AsSpan(0, decodedLength);
            if (span.Length > 0 && span[^1] == (byte)'\r')
            {
                span = span[..^1];
            }

            text = StrictUtf8.GetString(span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
