using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Tls;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>What every session shares: configuration, the command table and the server-wide services.</summary>
public sealed class FtpServerContext
{
    public required GatehouseOptions Options { get; init; }

    /// <summary>The values of <see cref="Options"/> that are used parsed.</summary>
    public required ValidatedSettings Settings { get; init; }

    public required FtpCommandTable Commands { get; init; }

    public required TransferThrottles Throttles { get; init; }

    public required BanList Bans { get; init; }

    /// <summary>Access:AllowedNetworks and Access:DeniedNetworks, checked when a connection arrives.</summary>
    public required AddressPolicy ConnectPolicy { get; init; }

    /// <summary>Ftp:TrustedProxies: balancers whose connections start with a PROXY protocol header naming the real client.</summary>
    public NetworkList TrustedProxies { get; init; } = NetworkList.Empty;

    /// <summary>Null when Tls:Policy is Disabled.</summary>
    public TlsCertificateProvider? Tls { get; init; }

    public required IPassivePorts PassivePorts { get; init; }

    public required TransferLog TransferLog { get; init; }

    public required TimeProvider Time { get; init; }

    public NodeDrain Drain { get; init; } = new();

    /// <summary>The sessions running now (the admin API's list and kick).</summary>
    public LiveSessions Sessions { get; init; } = new();

    public required ILoggerFactory LoggerFactory { get; init; }

    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Every file transfer that ended, complete or not (listings are not file transfers).</summary>
    public event Action<TransferFinished>? TransferFinished;

    internal void OnTransferFinished(TransferFinished transfer) => TransferFinished?.Invoke(transfer);
}
