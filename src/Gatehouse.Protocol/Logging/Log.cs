using System.Net;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Logging;

/// <summary>Source-generated log messages with stable event ids. Passwords never appear here.</summary>
public static partial class Log
{
    /// <summary>
    /// Refusals (permissions, read-only folders, quotas, names or offsets the storage cannot take) are policy or the
    /// client's request at work; other failures are storage trouble. Each is one line with its reason: only an I/O
    /// failure nothing recognised (<see cref="FileSystemError.IoError"/>) keeps its exception and stack trace.
    /// </summary>
    public static void StorageFailure(ILogger logger, string verb, string path, FileSystemException exception)
    {
        if (exception.Error is FileSystemError.PermissionDenied or FileSystemError.QuotaExceeded or FileSystemError.OutsideHome
            or FileSystemError.InvalidName or FileSystemError.OffsetBeyondEnd)
        {
            OperationRefused(logger, verb, path, exception.Message);
        }
        else
        {
            StorageError(logger, path, exception.Message, exception.Error == FileSystemError.IoError ? exception.InnerException ?? exception : null);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Listening for {Mode} on {Endpoint}")]
    public static partial void Listening(ILogger logger, string mode, EndPoint endpoint);

    [LoggerMessage(2, LogLevel.Warning, "Connection from {Client} refused: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, IPAddress client, string reason);

    [LoggerMessage(7, LogLevel.Warning, "Connection from {Client} refused: {Reason} ({Unlogged} more refusal(s) since the last line about it)")]
    public static partial void ConnectionRefusedAgain(ILogger logger, IPAddress client, string reason, int unlogged);

    [LoggerMessage(3, LogLevel.Information, "Shutting down: refusing new sessions, waiting up to {GraceSeconds}s for {Sessions} session(s) to finish transfers")]
    public static partial void ShuttingDown(ILogger logger, int graceSeconds, int sessions);

    [LoggerMessage(4, LogLevel.Warning, "Draining: new sessions get 421 and the health check fails; {Sessions} running session(s) go on, and the server stops when they end (at most {TimeoutSeconds}s, Cluster:DrainTimeoutSeconds)")]
    public static partial void Draining(ILogger logger, int sessions, int timeoutSeconds);

    [LoggerMessage(5, LogLevel.Warning, "Drained: {Outcome}; stopping")]
    public static partial void Drained(ILogger logger, string outcome);

    [LoggerMessage(10, LogLevel.Information, "Session started on {Local} ({Security})")]
    public static partial void SessionStarted(ILogger logger, EndPoint local, string security);

    [LoggerMessage(11, LogLevel.Information, "Session ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string reason);

    [LoggerMessage(14, LogLevel.Error, "Session failed unexpectedly; closing it")]
    public static partial void SessionFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Error, "Transfer of {Path} failed unexpectedly")]
    public static partial void TransferFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "Command: {Command}")]
    public static partial void CommandReceived(ILogger logger, string command);

    [LoggerMessage(13, LogLevel.Error, "Command {Verb} failed unexpectedly")]
    public static partial void CommandFailed(ILogger logger, string verb, Exception exception);

    [LoggerMessage(20, LogLevel.Information, "Login succeeded")]
    public static partial void LoginSucceeded(ILogger logger);

    [LoggerMessage(21, LogLevel.Warning, "Login failed for user '{User}': {Reason}")]
    public static partial void LoginFailed(ILogger logger, string user, string reason);

    [LoggerMessage(22, LogLevel.Warning, "Refused {Verb} {Reason}")]
    public static partial void CommandRefused(ILogger logger, string verb, string reason);

    [LoggerMessage(30, LogLevel.Warning, "TLS handshake failed on the {Channel} connection: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, string channel, string reason);

    [LoggerMessage(88, LogLevel.Warning, "TLS session tickets cannot be withheld from data connections here (no OpenSSL 3 reachable): a client that never reads its upload connection may lose the end of a TLS 1.3 upload")]
    public static partial void DataTicketsNotWithheld(ILogger logger);

    [LoggerMessage(89, LogLevel.Warning, "Upload {Path} refused: its TLS data connection ended without close_notify after {Bytes} bytes, so it may be truncated; the previous version is kept")]
    public static partial void UploadTruncated(ILogger logger, string path, long bytes);

    [LoggerMessage(90, LogLevel.Warning, "Upload {Path} stored although its TLS data connection ended without close_notify after {Bytes} bytes: it may be truncated")]
    public static partial void UploadWithoutCloseNotify(ILogger logger, string path, long bytes);

    [LoggerMessage(91, LogLevel.Debug, "Data connection secured with {Protocol}, {Session}")]
    public static partial void DataConnectionSecured(ILogger logger, System.Security.Authentication.SslProtocols protocol, string session);

    [LoggerMessage(31, LogLevel.Warning, "Plain-text data followed AUTH TLS before the handshake (possible command injection); closing")]
    public static partial void PlaintextAfterAuth(ILogger logger);

    [LoggerMessage(40, LogLevel.Warning, "Data connection from {Remote} to passive port {Port} refused: no session from that address is waiting on it (possible data theft; Ftp:RequireSameClientIpForData)")]
    public static partial void ForeignDataConnection(ILogger logger, IPAddress remote, int port);

    [LoggerMessage(151, LogLevel.Warning, "Security: data connection from {Client} refused under Tls:DataConnectionResumption={Rule}: {Reason}")]
    public static partial void DataTlsNotBound(ILogger logger, IPEndPoint client, Configuration.DataTlsResumption rule, string reason);

    [LoggerMessage(150, LogLevel.Warning, "Security: a second data connection, from {Intruder}, reached passive port {Port} after {First} had taken it for this session: another program at the client's address may be trying to take its data (the transfer fails unless its TLS resumed the control session)")]
    public static partial void DataConnectionRaced(ILogger logger, int port, IPEndPoint first, IPEndPoint intruder);

    [LoggerMessage(41, LogLevel.Warning, "Active mode refused: {Reason}")]
    public static partial void ActiveModeRefused(ILogger logger, string reason);

    [LoggerMessage(42, LogLevel.Warning, "No free passive port in {Range} for {Client}: every port already holds a reservation for that address; the range is the limit, widen Ftp:PassivePorts")]
    public static partial void PassivePortsExhausted(ILogger logger, string range, IPAddress client);

    [LoggerMessage(54, LogLevel.Warning, "No passive port in {Range} could be opened: the {Count} free for this client are held by other sockets on this machine; move Ftp:PassivePorts out of net.ipv4.ip_local_port_range or add it to net.ipv4.ip_local_reserved_ports")]
    public static partial void PassivePortsHeldElsewhere(ILogger logger, string range, int count);

    [LoggerMessage(48, LogLevel.Information, "Passive address {HostName} now resolves to {Address} (was {Previous})")]
    public static partial void PassiveAddressChanged(ILogger logger, string hostName, IPAddress previous, IPAddress address);

    [LoggerMessage(49, LogLevel.Warning, "Passive address {HostName} does not resolve: {Reason} (the last known address, if any, stays in use)")]
    public static partial void PassiveAddressUnresolved(ILogger logger, string hostName, string reason);

    [LoggerMessage(47, LogLevel.Warning, "Accepting on passive port {Port} failed ({Error}); the port keeps listening")]
    public static partial void PassiveAcceptFailed(ILogger logger, int port, string error);

    [LoggerMessage(43, LogLevel.Warning, "No data connection arrived on passive port {Port} within {Seconds}s; port released (is the passive range forwarded by the firewall?)")]
    public static partial void PassiveTimeout(ILogger logger, int port, int seconds);

    [LoggerMessage(44, LogLevel.Information, "{Direction} {Path}: {Bytes} bytes in {Milliseconds} ms ({Outcome})")]
    public static partial void Transfer(ILogger logger, string direction, string path, long bytes, long milliseconds, string outcome);

    [LoggerMessage(45, LogLevel.Warning, "Storage error on {Path}: {Reason}")]
    public static partial void StorageError(ILogger logger, string path, string reason, Exception? exception);

    [LoggerMessage(50, LogLevel.Information, "TLS certificate loaded: {Subject}, valid until {NotAfter:u}")]
    public static partial void CertificateLoaded(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(51, LogLevel.Error, "TLS certificate reload failed, keeping the previous certificate: {Reason}")]
    public static partial void CertificateReloadFailed(ILogger logger, string reason);

    [LoggerMessage(53, LogLevel.Error, "Could not append to the transfer log (xferlog): {Reason}")]
    public static partial void TransferLogFailed(ILogger logger, string reason);

    [LoggerMessage(52, LogLevel.Warning, "Using a self-signed TLS certificate ({Path}). Clients will warn about it; set Tls:CertificateFile and Tls:KeyFile to a certificate from a trusted CA")]
    public static partial void SelfSignedCertificate(ILogger logger, string path);

    [LoggerMessage(23, LogLevel.Warning, "Login of '{User}' refused although the password was right: {Reason}")]
    public static partial void LoginRefused(ILogger logger, string user, string reason);

    [LoggerMessage(24, LogLevel.Error, "Login of '{User}' could not be checked, the directory is unavailable: {Reason}")]
    public static partial void DirectoryUnavailable(ILogger logger, string user, string reason);

    [LoggerMessage(46, LogLevel.Warning, "Refused {Verb} {Path}: {Reason}")]
    public static partial void OperationRefused(ILogger logger, string verb, string path, string reason);

    [LoggerMessage(60, LogLevel.Warning, "Banned {Client} until {Until:u} (offence {Offences}): {Reason}")]
    public static partial void Banned(ILogger logger, string client, DateTimeOffset until, int offences, string reason);

    [LoggerMessage(61, LogLevel.Error, "Could not read or write bans in the account store: {Reason}")]
    public static partial void BanStoreFailed(ILogger logger, string reason);

    [LoggerMessage(70, LogLevel.Warning, "Connection from proxy {Proxy} closed: {Reason} (Ftp:TrustedProxies lists it, so a PROXY protocol header is required)")]
    public static partial void ProxyHeaderMissing(ILogger logger, IPAddress proxy, string reason);

    [LoggerMessage(71, LogLevel.Warning, "Connection from {Client} closed: it sent a PROXY protocol header but is not in Ftp:TrustedProxies")]
    public static partial void UntrustedProxyHeader(ILogger logger, IPAddress client);

    [LoggerMessage(72, LogLevel.Debug, "Proxy {Proxy} relays client {Client}")]
    public static partial void ProxiedConnection(ILogger logger, IPAddress proxy, IPEndPoint client);

    [LoggerMessage(80, LogLevel.Error, "Cluster: could not {Operation} in the shared store: {Reason}")]
    public static partial void ClusterStoreFailed(ILogger logger, string operation, string reason);

    [LoggerMessage(81, LogLevel.Information, "Joined the cluster as node {Name} ({NodeId}); {Relay}")]
    public static partial void ClusterJoined(ILogger logger, string name, string nodeId, string relay);

    [LoggerMessage(82, LogLevel.Information, "Data connection from {Client} to passive port {Port} belongs to node {Node}: relaying it to {RelayEndPoint}")]
    public static partial void DataConnectionRelayed(ILogger logger, IPEndPoint client, int port, string node, string relayEndPoint);

    [LoggerMessage(83, LogLevel.Information, "Data connection from {Client} to passive port {Port} arrived relayed by node {Peer}")]
    public static partial void RelayedDataConnectionArrived(ILogger logger, IPEndPoint client, int port, EndPoint peer);

    [LoggerMessage(84, LogLevel.Warning, "Relay connection from {Peer} refused: {Reason}")]
    public static partial void RelayRefused(ILogger logger, EndPoint peer, string reason);

    [LoggerMessage(85, LogLevel.Warning, "Could not relay the data connection from {Client} on passive port {Port} to node {Node} at {RelayEndPoint}: {Reason}")]
    public static partial void RelayFailed(ILogger logger, IPEndPoint client, int port, string node, string relayEndPoint, string reason);

    [LoggerMessage(180, LogLevel.Debug, "Cluster: went on without the shared store to {Operation}: {Reason}")]
    public static partial void ClusterStoreSkipped(ILogger logger, string operation, string reason);

    [LoggerMessage(181, LogLevel.Debug, "Passive port {Port} promised to {Client} from this node's share of the range, without the shared store; the claim is written when the store answers again")]
    public static partial void PassivePortClaimedOffline(ILogger logger, int port, IPAddress client);

    [LoggerMessage(182, LogLevel.Warning, "Passive port {Port} for {Client} refused while the shared store is unreachable: {Reason}")]
    public static partial void OfflineClaimRefused(ILogger logger, int port, IPAddress client, string reason);

    [LoggerMessage(183, LogLevel.Warning, "Passive port {Port} for {Client}, promised by this node while the shared store was unreachable, is held in the store by node {Node} (the nodes' memberships differed)")]
    public static partial void OfflineClaimCollided(ILogger logger, int port, IPAddress client, string node);

    [LoggerMessage(184, LogLevel.Information, "Data connection from {Client} to passive port {Port} is not in the shared store; the port is node {Node}'s share for that client: relaying it, signed, to {RelayEndPoint}")]
    public static partial void DataConnectionRelayedByShare(ILogger logger, IPEndPoint client, int port, string node, string relayEndPoint);

    [LoggerMessage(86, LogLevel.Error, "Could not save the usage of {Area} in the account store; it is kept and saved with the next change or at shutdown: {Reason}")]
    public static partial void UsageSaveFailed(ILogger logger, string area, string reason);

    [LoggerMessage(87, LogLevel.Error, "Could not save the last usage changes of {Area} at shutdown ({Bytes} bytes, {Files} files): the stored usage is off by that much until `gatehouse quota scan`: {Reason}")]
    public static partial void UsageLostAtShutdown(ILogger logger, string area, long bytes, long files, string reason);

    [LoggerMessage(130, LogLevel.Warning, "Usage of {Area} counted again from {Path} because the last run stopped before saving it: {Bytes} bytes in {Files} files (the store said {StoredBytes} bytes in {StoredFiles} files)")]
    public static partial void UsageRecounted(ILogger logger, string area, string path, long bytes, long files, long storedBytes, long storedFiles);

    [LoggerMessage(131, LogLevel.Error, "Could not count the usage of {Area} again after the last run stopped before saving it; it is tried at the next start, or run `gatehouse quota scan`: {Reason}")]
    public static partial void UsageRecountFailed(ILogger logger, string area, string reason);

    [LoggerMessage(160, LogLevel.Information, "TCP segments of control and data connections are capped at {Bytes} bytes (Ftp:MaxSegmentSize), for clients behind tunnels that drop large packets")]
    public static partial void SegmentSizeCapped(ILogger logger, int bytes);

    [LoggerMessage(230, LogLevel.Information, "Upload {Path} was cut by the client or the network; what arrived is kept hidden for the client to resume (SIZE, then REST and STOR, or APPE): {Bytes} bytes kept, {Grown} more than before")]
    public static partial void PartialUploadKept(ILogger logger, string path, long bytes, long grown);

    [LoggerMessage(231, LogLevel.Warning, "Upload {Path} was cut, and what arrived could not be kept for resuming, so it was discarded: {Reason}")]
    public static partial void PartialUploadNotKept(ILogger logger, string path, string reason);

    [LoggerMessage(193, LogLevel.Information, "Login of {User} refused for now (421, not held against the client): {Reason}")]
    public static partial void LoginStoreUnavailable(ILogger logger, string user, string reason);

    [LoggerMessage(194, LogLevel.Information, "Login of {User} checked against its last login ({LoggedInAt:u}) kept by this node: the account store is unreachable")]
    public static partial void OfflineLogin(ILogger logger, string user, DateTimeOffset loggedInAt);

    [LoggerMessage(195, LogLevel.Debug, "Command {Verb} answered 451: {Reason}")]
    public static partial void CommandStoreUnavailable(ILogger logger, string verb, string reason);

    [LoggerMessage(196, LogLevel.Debug, "Could not {Operation} while the account store is unreachable; kept in memory and written when it is back: {Reason}")]
    public static partial void StoreWriteDeferred(ILogger logger, string operation, string reason);

    [LoggerMessage(190, LogLevel.Warning, "The account store ({Store}) cannot be reached: {Failure}. Logged-in sessions go on transferring; {Logins}; bans, failed logins, sessions and usage are kept in memory and written when it is back. Said once; a reminder at most every minute")]
    public static partial void StoreUnreachable(ILogger logger, string store, string failure, string logins);

    [LoggerMessage(191, LogLevel.Warning, "The account store ({Store}) is still unreachable, since {Since:u} ({Minutes} min): {Failure}")]
    public static partial void StoreStillUnreachable(ILogger logger, string store, DateTimeOffset since, long minutes, string failure);

    [LoggerMessage(192, LogLevel.Information, "The account store ({Store}) is back after {Seconds} s; {Summary}")]
    public static partial void StoreBack(ILogger logger, string store, long seconds, string summary);

    [LoggerMessage(197, LogLevel.Information, "The account store ({Store}): {Summary}")]
    public static partial void StoreWrittenBack(ILogger logger, string store, string summary);

    [LoggerMessage(198, LogLevel.Debug, "Offline logins: read the policies of {Count} accounts logged in within AccountStore:OfflineLoginHours")]
    public static partial void OfflineLoginsSynced(ILogger logger, int count);

    [LoggerMessage(199, LogLevel.Warning, "Offline logins: could not read the cluster's recent logins; next try in {Seconds} s")]
    public static partial void OfflineLoginSyncFailed(ILogger logger, long seconds, Exception error);

    [LoggerMessage(240, LogLevel.Warning, "Session {SessionId} closed on request of {By} (admin API)")]
    public static partial void SessionKicked(ILogger logger, string sessionId, string by);
}
