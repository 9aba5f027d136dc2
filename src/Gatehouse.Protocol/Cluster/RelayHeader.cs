using System.Buffers.Binary;
using System.Net;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// What a node sends first on a relayed data connection: which claim it is for (the token only nodes can read from
/// the shared store), the passive port and the real client. Fixed length, so the receiver reads exactly the header
/// and hands the rest of the stream, untouched, to the session.
/// </summary>
public static class RelayHeader
{
    public const int Length = 4 + 16 + 2 + 16 + 2;

    private static ReadOnlySpan<byte> Magic => "GHR1"u8;

    public static byte[] Write(string token, IPEndPoint client, int port)
    {
        var header = new byte[Length];
        Magic.CopyTo(header);
        Guid.ParseExact(token, "N").TryWriteBytes(header.AsSpan(4, 16));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(20, 2), (ushort)port);
        client.Address.MapToIPv6().TryWriteBytes(header.AsSpan(22, 16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(38, 2), (ushort)client.Port);
        return header;
    }

    public static bool TryRead(ReadOnlySpan<byte> header, out string token, out IPEndPoint client, out int port)
    {
        token = string.Empty;
        client = new IPEndPoint(IPAddress.IPv6None, 0);
        port = 0;
        if (header.Length != Length || !header[..4].SequenceEqual(Magic))
        {
            return false;
        }

        token = new Guid(header.Slice(4, 16)).ToString("N");
        port = BinaryPrimitives.ReadUInt16BigEndian(header.Slice(20, 2));
        var address = new IPAddress(header.Slice(22, 16));
        client = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, BinaryPrimitives.ReadUInt16BigEndian(header.Slice(38, 2)));
        return port != 0;
    }
}
