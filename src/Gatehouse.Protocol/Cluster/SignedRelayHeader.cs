using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// The relay header sent when the claim's token cannot be read from the store (it is unreachable, or the claim was
/// made while it was): the port, the real client and the time, signed with the owner's relay key (HMAC-SHA256), which
/// only readers of the store know. The owner takes it only fresh, once, and for a session of its own waiting for
/// that client on that port. Starts with its own magic, so <see cref="RelayHeader"/>'s first bytes tell the two apart.
/// </summary>
public sealed class SignedRelayHeader(string ownKey, TimeProvider time)
{
    public const int Length = 4 + 2 + 16 + 2 + 8 + MacLength;
    private const int MacLength = 32;
    private const int Signed = Length - MacLength;

    /// <summary>How far the sender's clock may be from the receiver's (the nodes keep them in step with NTP).</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);
    private readonly byte[] _ownKey = Convert.FromBase64String(ownKey);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    public static ReadOnlySpan<byte> Magic => "GHS1"u8;

    public static byte[] Write(string ownerKey, IPEndPoint client, int port, DateTimeOffset now)
    {
        var header = new byte[Length];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4, 2), (ushort)port);
        client.Address.MapToIPv6().TryWriteBytes(header.AsSpan(6, 16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(22, 2), (ushort)client.Port);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(24, 8), now.ToUnixTimeMilliseconds());
        HMACSHA256.HashData(Convert.FromBase64String(ownerKey), header.AsSpan(0, Signed), header.AsSpan(Signed));
        return header;
    }

    /// <returns>False, with the reason, unless the header is signed with this node's key, fresh and not seen before.</returns>
    public bool TryRead(ReadOnlySpan<byte> header, out IPEndPoint client, out int port, out string refusal)
    {
        client = new IPEndPoint(IPAddress.IPv6None, 0);
        port = 0;
        Span<byte> mac = stackalloc byte[MacLength];
        if (header.Length != Length || !header[..4].SequenceEqual(Magic))
        {
            refusal = "no valid signed relay header";
            return false;
        }

        HMACSHA256.HashData(_ownKey, header[..Signed], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, header[Signed..]))
        {
            refusal = "the signature is not this node's key (not a member of the cluster, or a node of another cluster)";
            return false;
        }

        var now = time.GetUtcNow();
        var sent = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(header.Slice(24, 8)));
        if ((now - sent).Duration() > Freshness)
        {
            refusal = $"the signed header is {(now - sent).TotalSeconds:0}s from this node's clock (replayed, or the nodes' clocks are not in step)";
            return false;
        }

        Forget(now);
        if (!_seen.TryAdd(Convert.ToBase64String(header[Signed..]), sent))
        {
            refusal = "the signed header was used before (replayed)";
            return false;
        }

        port = BinaryPrimitives.ReadUInt16BigEndian(header.Slice(4, 2));
        var address = new IPAddress(header.Slice(6, 16));
        client = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, BinaryPrimitives.ReadUInt16BigEndian(header.Slice(22, 2)));
        refusal = string.Empty;
        return port != 0;
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (mac, sent) in _seen)
        {
            if (now - sent > 2 * Freshness)
            {
                _seen.TryRemove(mac, out _);
            }
        }
    }
}
