using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Accounts.Cluster;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// Which node may promise a passive port to a client: the one with the highest score for that port and client
/// (rendezvous hashing over the node ids, docs/cluster.md). Every node computes the same answer from the membership it
/// last read, without asking the store; and two nodes that know each other never both own one port for one client,
/// even when one of them still counts a third node that the other has forgotten.
/// </summary>
public static class PortShares
{
    public static ClusterNode? Owner(IReadOnlyList<ClusterNode> nodes, int port, IPAddress client)
    {
        Span<byte> address = stackalloc byte[16];
        client.MapToIPv6().TryWriteBytes(address, out _);
        ClusterNode? owner = null;
        ulong best = 0;
        foreach (var node in nodes)
        {
            var score = Score(node.Id, port, address);
            if (owner is null || score > best || (score == best && string.CompareOrdinal(node.Id, owner.Id) > 0))
            {
                (owner, best) = (node, score);
            }
        }

        return owner;
    }

    private static ulong Score(string nodeId, int port, ReadOnlySpan<byte> address)
    {
        var input = new byte[Encoding.UTF8.GetByteCount(nodeId) + 2 + 16];
        var written = Encoding.UTF8.GetBytes(nodeId, input);
        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(written, 2), (ushort)port);
        address.CopyTo(input.AsSpan(written + 2));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
