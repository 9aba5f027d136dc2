using System.Net;
using Gatehouse.Protocol.Server;

namespace Gatehouse.Protocol.Tests;

public class ConnectionGateTests
{
    private static readonly IPAddress A = IPAddress.Parse("198.51.100.1");
    private static readonly IPAddress B = IPAddress.Parse("198.51.100.2");

    [Fact]
    public void Caps_sessions_per_address_and_in_total_and_frees_slots_on_leave()
    {
        var gate = new ConnectionGate(maxSessions: 3, maxSessionsPerIp: 2);
        Assert.True(gate.TryEnter(A, out _));
        Assert.True(gate.TryEnter(A, out _));
        Assert.False(gate.TryEnter(A, out var perIp));
        Assert.Contains("limit 2", perIp, StringComparison.Ordinal);

        Assert.True(gate.TryEnter(B, out _));
        Assert.False(gate.TryEnter(B, out var total));
        Assert.Contains("limit of 3 sessions", total, StringComparison.Ordinal);

        gate.Leave(A);
        Assert.True(gate.TryEnter(B, out _));
        Assert.False(gate.TryEnter(A, out _));
    }

    [Fact]
    public void Leaving_without_entering_does_not_open_extra_slots()
    {
        var gate = new ConnectionGate(maxSessions: 1, maxSessionsPerIp: 1);
        gate.Leave(A);
        Assert.True(gate.TryEnter(A, out _));
        Assert.False(gate.TryEnter(B, out _));
    }
}
