using System.Net;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Server;

namespace Gatehouse.Protocol.Tests;

public class ConnectionGateTests
{
    private static readonly IPAddress A = IPAddress.Parse("198.51.100.1");
    private static readonly IPAddress B = IPAddress.Parse("198.51.100.2");
    private static readonly IPAddress C = IPAddress.Parse("198.51.100.3");

    private static ConnectionGate Gate(int maxSessions = 100, int perIp = 100, int waiting = 100, int waitingPerIp = 100) =>
        new(new LimitsOptions
        {
            MaxSessions = maxSessions,
            MaxSessionsPerIp = perIp,
            MaxUnauthenticatedSessions = waiting,
            MaxUnauthenticatedSessionsPerIp = waitingPerIp,
            LoginTimeoutSeconds = 60,
            LoginTimeoutUnderPressureSeconds = 10,
        });

    private static ConnectionSlot Enter(ConnectionGate gate, IPAddress client)
    {
        Assert.Equal(GateRefusal.None, gate.TryEnter(client, out var slot, out var evicted, out var reason));
        Assert.Null(evicted);
        Assert.Empty(reason);
        return slot!;
    }

    [Fact]
    public void Caps_sessions_per_address_and_in_total_and_frees_slots_on_leave()
    {
        var gate = Gate(maxSessions: 3, perIp: 2);
        var first = Enter(gate, A);
        Enter(gate, A);
        Assert.Equal(GateRefusal.AddressLimit, gate.TryEnter(A, out _, out _, out var perIp));
        Assert.Contains("limit 2", perIp, StringComparison.Ordinal);

        Enter(gate, B);
        Assert.Equal(GateRefusal.ServerFull, gate.TryEnter(B, out _, out _, out var total));
        Assert.Contains("limit of 3 sessions", total, StringComparison.Ordinal);

        first.Leave();
        Enter(gate, B);
        Assert.Equal(GateRefusal.ServerFull, gate.TryEnter(A, out _, out _, out _));
    }

    [Fact]
    public void Leaving_twice_does_not_open_extra_slots()
    {
        var gate = Gate(maxSessions: 2);
        var slot = Enter(gate, A);
        Enter(gate, B);
        slot.Leave();
        slot.Leave();
        Enter(gate, A);
        Assert.Equal(GateRefusal.ServerFull, gate.TryEnter(C, out _, out _, out _));
    }

    [Fact]
    public void Connections_waiting_to_log_in_have_a_per_address_budget_that_a_login_frees()
    {
        var gate = Gate(waitingPerIp: 2);
        var first = Enter(gate, A);
        Enter(gate, A);
        Assert.Equal(GateRefusal.AddressLimit, gate.TryEnter(A, out _, out _, out var reason));
        Assert.Contains("waiting to log in (limit 2)", reason, StringComparison.Ordinal);

        first.LoggedIn();
        Enter(gate, A);
        Assert.Equal(2, gate.Waiting);
    }

    [Fact]
    public void A_full_waiting_budget_makes_the_busiest_address_give_way_to_a_newcomer()
    {
        var gate = Gate(waiting: 4);
        var oldestOfA = Enter(gate, A);
        var secondOfA = Enter(gate, A);
        Enter(gate, A);
        var onlyOfB = Enter(gate, B);

        Assert.Equal(GateRefusal.None, gate.TryEnter(C, out var newcomer, out var evicted, out _));
        Assert.Same(oldestOfA, evicted);
        Assert.True(evicted!.Evicted);
        Assert.Equal(4, gate.Waiting);

        // The evicted session still counts in the total until it has closed.
        oldestOfA.Leave();
        Assert.Equal(GateRefusal.None, gate.TryEnter(C, out _, out evicted, out _));
        Assert.Same(secondOfA, evicted);
        Assert.False(onlyOfB.Evicted);
        Assert.NotNull(newcomer);
    }

    [Fact]
    public void Nobody_gives_way_to_an_address_that_already_holds_as_many_as_the_busiest()
    {
        var gate = Gate(waiting: 2);
        Enter(gate, A);
        Enter(gate, B);
        Assert.Equal(GateRefusal.None, gate.TryEnter(C, out _, out var evicted, out _));
        Assert.NotNull(evicted);
        Assert.Equal(GateRefusal.ServerFull, gate.TryEnter(C, out _, out evicted, out var reason));
        Assert.Null(evicted);
        Assert.Contains("limit of 2 connections waiting to log in", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Logged_in_sessions_keep_the_room_the_waiting_budget_leaves_them()
    {
        var gate = Gate(maxSessions: 4, waiting: 2);
        var partner = Enter(gate, C);
        partner.LoggedIn();
        Enter(gate, A);
        Enter(gate, A);
        Assert.Equal(GateRefusal.None, gate.TryEnter(B, out var another, out var evicted, out _));
        Assert.NotNull(evicted);
        another!.LoggedIn();
        Assert.Equal(1, gate.Waiting);
    }

    [Fact]
    public void More_than_half_the_waiting_budget_taken_is_pressure_and_rein_waits_again()
    {
        var gate = Gate(waiting: 4);
        var first = Enter(gate, A);
        Enter(gate, A);
        Assert.False(first.UnderPressure);
        var third = Enter(gate, B);
        Assert.True(first.UnderPressure);

        third.LoggedIn();
        Assert.Equal(2, gate.Waiting);
        Assert.False(gate.UnderPressure);
        third.LoggedOut();
        Assert.Equal(3, gate.Waiting);
        Assert.True(gate.UnderPressure);
    }
}
