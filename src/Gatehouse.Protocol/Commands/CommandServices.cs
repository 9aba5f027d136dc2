using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Bans;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Commands;

/// <summary>
/// The server-wide services the command table is built from; each handler's constructor takes only what it uses.
/// <see cref="LoginAudit"/> is null where no audit trail is kept (the protocol tests' harness).
/// </summary>
public sealed record CommandServices(
    GatehouseOptions Options,
    Authenticator Authenticator,
    LoginAuthorizer Logins,
    Func<Account, AccessPolicy, IFileSystem> FileSystems,
    BanList Bans,
    AccountThrottle AccountThrottle,
    PassiveAddressSelector PassiveAddresses,
    TimeProvider Time,
    GatehouseMetrics Metrics,
    LoginAudit? LoginAudit = null);
