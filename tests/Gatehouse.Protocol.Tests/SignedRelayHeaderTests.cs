using System.Net;
using System.Security.Cryptography;
using Gatehouse.Protocol.Cluster;

namespace Gatehouse.Protocol.Tests;

public sealed class SignedRelayHeaderTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly IPEndPoint Client = new(IPAddress.Parse("198.51.100.7"), 40123);
    private readonly ManualClock _time = new();

    [Theory]
    [InlineData("198.51.100.7", 40123, 50001)]
    [InlineData("2001:db8::7", 1, 65535)]
    public void A_header_signed_with_the_owners_key_reads_back_once(string address, int clientPort, int passivePort)
    {
        var owner = new SignedRelayHeader(Key, _time);
        var header = SignedRelayHeader.Write(Key, new IPEndPoint(IPAddress.Parse(address), clientPort), passivePort, _time.GetUtcNow());

        Assert.Equal(SignedRelayHeader.Length, header.Length);
        Assert.True(owner.TryRead(header, out var client, out var port, out _));
        Assert.Equal((new IPEndPoint(IPAddress.Parse(address), clientPort), passivePort), (client, port));

        Assert.False(owner.TryRead(header, out _, out _, out var refusal));
        Assert.Contains("replayed", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_key_a_changed_field_or_a_stale_time_is_refused()
    {
        var owner = new SignedRelayHeader(Key, _time);
        var otherKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Assert.False(owner.TryRead(SignedRelayHeader.Write(otherKey, Client, 50001, _time.GetUtcNow()), out _, out _, out var refusal));
        Assert.Contains("not this node's key", refusal, StringComparison.Ordinal);

        var forged = SignedRelayHeader.Write(Key, Client, 50001, _time.GetUtcNow());
        forged[5] ^= 1;
        Assert.False(owner.TryRead(forged, out _, out _, out _));

        var old = SignedRelayHeader.Write(Key, Client, 50001, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.False(owner.TryRead(old, out _, out _, out refusal));
        Assert.Contains("from this node's clock", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_two_relay_headers_are_told_apart_by_their_first_bytes()
    {
        var owner = new SignedRelayHeader(Key, _time);
        var claimHeader = RelayHeader.Write(Guid.NewGuid().ToString("N"), Client, 50001);
        Assert.False(SignedRelayHeader.Magic.SequenceEqual(claimHeader.AsSpan(0, 4)));
        Assert.False(owner.TryRead([.. claimHeader, .. new byte[SignedRelayHeader.Length - RelayHeader.Length]], out _, out _, out _));
        Assert.False(RelayHeader.TryRead(SignedRelayHeader.Write(Key, Client, 50001, _time.GetUtcNow()).AsSpan(0, RelayHeader.Length), out _, out _, out _));
    }
}
