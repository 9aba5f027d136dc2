using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Server;

namespace Gatehouse.Protocol.Tests;

/// <summary>The start-up check of the ports a node listens on from start to stop (the relay here; the others end to end).</summary>
public sealed class ListenPortsTests
{
    [Fact]
    public void A_relay_port_another_program_holds_is_refused_with_its_setting_and_accepted_once_free()
    {
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        // Below the ephemeral range, so no client connection of another test takes it once free.
        const int port = 29490;
        other.Bind(new IPEndPoint(IPAddress.Loopback, port));
        other.Listen();
        var options = new GatehouseOptions
        {
            Ftp = { ListenAddresses = ["127.0.0.1"], ExplicitPort = 0, PassivePorts = "29480-29481" },
            Cluster = { RelayPort = port, RelayAddress = "127.0.0.1" },
        };

        // Only the parsed values matter here, not that a real node would also need a control port and the shared store.
        GatehouseOptionsValidator.Validate(options, out var settings);
        var ports = ListenPorts.All(options, settings).ToList();
        Assert.Equal(["Cluster:RelayPort", "Ftp:PassivePorts", "Ftp:PassivePorts"], ports.Select(listen => listen.Key));

        Assert.Equal(
            $"Cluster:RelayPort: port {port} on 127.0.0.1 is already in use by another process; stop it or change Cluster:RelayPort.",
            ListenPorts.FirstUnavailable(ports));

        other.Dispose();
        Assert.Null(ListenPorts.FirstUnavailable(ports));
    }
}
