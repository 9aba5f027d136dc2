using Gatehouse.Accounts;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Tls;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>What every session shares: configuration, the command table and the server-wide services.</summary>
public sealed class FtpServerContext
{
    public required GatehouseOptions Options { get; init; }

    public required FtpCommandTable Commands { get; init; }

    public required Authenticator Authenticator { get; init; }

    public required Func<Account, IFileSystem> FileSystems { get; init; }

    /// <summary>Null when Tls:Policy is Disabled.</summary>
    public TlsCertificateProvider? Tls { get; init; }

    public required PassivePortPool PassivePorts { get; init; }

    public required PassiveAddressSelector PassiveAddresses { get; init; }

    public required TransferLog TransferLog { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILoggerFactory LoggerFactory { get; init; }

    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
