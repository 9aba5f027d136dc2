using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// X-Gatehouse-Signature: <c>t=UNIXTIME,v1=HEX</c>, HEX being the lower-case hex HMAC-SHA256, keyed with the rule's
/// secret, of <c>UNIXTIME.</c> followed by the request body. The time lets a receiver refuse old replays.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Gatehouse-Signature";

    public static string Sign(string secret, DateTimeOffset time, ReadOnlySpan<byte> body)
    {
        var stamp = time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var prefix = Encoding.UTF8.GetBytes(stamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return $"t={stamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}
