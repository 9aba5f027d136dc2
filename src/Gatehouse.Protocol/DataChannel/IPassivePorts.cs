using System.Net;
using Gatehouse.Protocol.Configuration;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Where sessions reserve passive ports (PASV/EPSV): <see cref="PassiveListeners"/> on a node whose range is its own,
/// or Cluster/SharedPassiveRange.cs around it when every node of a cluster shares one range (Cluster:RelayPort).
/// </summary>
public interface IPassivePorts : IDisposable
{
    /// <summary>Ftp:PassivePorts.</summary>
    PortRange Range { get; }

    /// <summary>Reservations held now.</summary>
    int Reserved { get; }

    /// <summary>Ports listening now.</summary>
    int Listening { get; }

    /// <summary>Reserves a port for one data connection from <paramref name="expectation"/>'s client.</summary>
    /// <param name="localAddress">The control connection's local address, where the port listens.</param>
    /// <exception cref="DataChannelException">No port is free for this client, or the free ones are taken by other programs.</exception>
    Task<PassiveReservation> ReserveAsync(IPAddress localAddress, PassiveExpectation expectation, ILogger sessionLogger, CancellationToken cancellationToken);
}
