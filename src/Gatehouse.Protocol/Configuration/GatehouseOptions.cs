using Gatehouse.Accounts.Ldap;

namespace Gatehouse.Protocol.Configuration;

/// <summary>The whole configuration file. Property names are the configuration keys.</summary>
public sealed class GatehouseOptions
{
    public string DataDirectory { get; set; } = "./gatehouse-data";

    public FtpOptions Ftp { get; set; } = new();

    public TlsOptions Tls { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public AccessOptions Access { get; set; } = new();

    public BanOptions Bans { get; set; } = new();

    public AccountOptions Accounts { get; set; } = new();

    public AccountStoreOptions AccountStore { get; set; } = new();

    public ClusterOptions Cluster { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();

    public StorageOptions Storage { get; set; } = new();

    public LdapOptions Ldap { get; set; } = new();

    public EventsOptions Events { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();
}

public sealed class FtpOptions
{
    /// <summary>Empty means every IPv4 and IPv6 address (one dual-stack socket).</summary>
    public List<string> ListenAddresses { get; set; } = [];

    /// <summary>Plain FTP with AUTH TLS upgrade. 0 disables.</summary>
    public int ExplicitPort { get; set; } = 2121;

    /// <summary>TLS from the first byte (ftps://). 0 disables.</summary>
    public int ImplicitPort { get; set; }

    /// <summary>The range the firewall forwards; the only ports passive data connections use.</summary>
    public string PassivePorts { get; set; } = "50000-50099";

    /// <summary>
    /// The ports told to clients when a balancer or container maps them (the n-th port of PassivePorts is announced
    /// as the n-th of this range). Empty: clients are told the listening port.
    /// </summary>
    public string? PassivePortsAdvertised { get; set; }

    /// <summary>IPv4 address or host name announced in 227 replies (the NAT's public address).</summary>
    public string? PassiveAddress { get; set; }

    /// <summary>How long a host name's look-up in PassiveAddress (and overrides) is used before it is resolved again.</summary>
    public int PassiveAddressRefreshSeconds { get; set; } = 60;

    /// <summary>Clients from these networks are told another address (LAN clients get the private one).</summary>
    public List<PassiveAddressOverride> PassiveAddressOverrides { get; set; } = [];

    /// <summary>PORT/EPRT. Even when allowed, the server only ever connects back to the client's own address, port 1024+.</summary>
    public bool AllowActiveMode { get; set; } = true;

    /// <summary>Turning this off lets anyone who guesses the passive port steal or inject the data (RFC 2577).</summary>
    public bool RequireSameClientIpForData { get; set; } = true;

    /// <summary>TCP keep-alive idle time on the control socket, so NAT tables keep it during long transfers. 0 disables.</summary>
    public int ControlKeepAliveSeconds { get; set; } = 60;

    /// <summary>
    /// TCP keep-alive idle time on data connections, which are idle while a rate-limited client sleeps between bursts
    /// or a slow reader stops reading. 0 disables.
    /// </summary>
    public int DataKeepAliveSeconds { get; set; } = 15;

    /// <summary>
    /// Under PROT P, how long after its PASV/EPSV reply a passive transfer whose TLS did not resume the control
    /// connection's session waits before its upload is stored or its success reported, so that a client which opens its
    /// data connection after the transfer command still finds out that something at its address took the port first.
    /// 0 disables.
    /// </summary>
    public int DataRaceWindowMilliseconds { get; set; } = 250;

    /// <summary>
    /// TCP_MAXSEG of control and data connections, for partners behind a tunnel with a smaller MTU whose ICMP
    /// "fragmentation needed" is dropped (large packets vanish, so TLS and transfers stall). 0: the system's choice.
    /// </summary>
    public int MaxSegmentSize { get; set; }

    /// <summary>
    /// Load balancers (CIDRs) whose control and passive data connections start with a PROXY protocol header (v1 or
    /// v2) naming the real client; from them the header is required. Anyone else sending one is disconnected.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

public sealed class PassiveAddressOverride
{
    public string Network { get; set; } = string.Empty;

    public string Address { get; set; } = string.Empty;
}

public enum TlsPolicy
{
    /// <summary>Control and data must be encrypted: USER before AUTH TLS and PROT C transfers are refused.</summary>
    Required,

    /// <summary>Clients may choose; credentials travel in clear text for those that do not.</summary>
    Optional,

    /// <summary>No TLS at all. Only for isolated test networks.</summary>
    Disabled,
}

public sealed class TlsOptions
{
    /// <summary>PEM certificate (leaf first, then intermediates). Empty: a self-signed certificate is generated.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key. May be omitted when the certificate file also holds the key.</summary>
    public string? KeyFile { get; set; }

    public TlsPolicy Policy { get; set; } = TlsPolicy.Required;

    /// <summary>Whether a data connection's TLS must resume the control connection's session (users and groups may set their own).</summary>
    public DataTlsResumption DataConnectionResumption { get; set; } = DataTlsResumption.Optional;

    /// <summary>Ask clients for a certificate on the control connection (never required by the handshake itself; users with a client-certificate setting must present a matching one).</summary>
    public bool RequestClientCertificate { get; set; } = true;

    /// <summary>
    /// Refuse (426) an upload whose TLS data connection ends without close_notify: what arrived may be only part of the
    /// file. Off: such an upload is stored and logged as possibly truncated.
    /// </summary>
    public bool RefuseTruncatedUploads { get; set; } = true;
}

public sealed class LimitsOptions
{
    public int MaxSessions { get; set; } = 1000;

    public int MaxSessionsPerIp { get; set; } = 50;

    /// <summary>Of MaxSessions, how many may be connections that have not logged in; the rest is kept for partners who have. Unset: half of MaxSessions.</summary>
    public int? MaxUnauthenticatedSessions { get; set; }

    /// <summary>Connections from one address that have not logged in. Unset: MaxSessionsPerIp.</summary>
    public int? MaxUnauthenticatedSessionsPerIp { get; set; }

    /// <summary>Never applied while a transfer is running.</summary>
    public int IdleTimeoutSeconds { get; set; } = 600;

    public int LoginTimeoutSeconds { get; set; } = 60;

    /// <summary>The login time-out of connections that arrive while more than half of MaxUnauthenticatedSessions is taken.</summary>
    public int LoginTimeoutUnderPressureSeconds { get; set; } = 10;

    /// <summary>How long a reserved passive port waits for its data connection.</summary>
    public int DataConnectionTimeoutSeconds { get; set; } = 30;

    /// <summary>On shutdown, how long running transfers may go on before they are cut.</summary>
    public int ShutdownGraceSeconds { get; set; } = 30;

    /// <summary>Failed PASS attempts before the server closes the connection.</summary>
    public int MaxLoginAttempts { get; set; } = 3;

    public int FailedLoginDelayMilliseconds { get; set; } = 1000;
}

/// <summary>Server-wide trusted networks, checked when a connection arrives (users and groups add their own at login).</summary>
public sealed class AccessOptions
{
    public List<string> AllowedNetworks { get; set; } = [];

    public List<string> DeniedNetworks { get; set; } = [];
}

/// <summary>Brute-force defence: abuse scores points per client address; enough points within the window earn a ban.</summary>
public sealed class BanOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>A failed login scores 2 points; commands before login, protocol garbage and refused extra connections score 1.</summary>
    public int Threshold { get; set; } = 10;

    public int WindowSeconds { get; set; } = 600;

    /// <summary>The first ban; each further offence doubles it, up to MaxBanSeconds.</summary>
    public int BanSeconds { get; set; } = 900;

    public int MaxBanSeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>After this long without a ban, an address starts again at BanSeconds.</summary>
    public int OffenceMemoryHours { get; set; } = 24;

    /// <summary>Networks that are never banned (monitoring, the partner's fixed office range), nor delayed by the account throttle.</summary>
    public List<string> ExemptNetworks { get; set; } = [];

    /// <summary>
    /// Per-account throttling against password spraying from many addresses, which per-address bans do not see. Off:
    /// an attacker with many addresses is limited only by the bans of each address.
    /// </summary>
    public bool AccountThrottling { get; set; } = true;

    /// <summary>Failed logins for one name, from any address and any node, before its logins start to be spaced out.</summary>
    public int AccountFreeFailures { get; set; } = 5;

    public int AccountWindowSeconds { get; set; } = 900;

    /// <summary>The first spacing between answers; it doubles with each further failure, up to AccountMaxDelaySeconds.</summary>
    public int AccountDelayMilliseconds { get; set; } = 1000;

    /// <summary>The longest an attempt waits for its answer; one that would wait longer is refused (421) without a password check.</summary>
    public int AccountMaxDelaySeconds { get; set; } = 30;
}

public sealed class AccountOptions
{
    public int PasswordMinLength { get; set; } = 12;

    /// <summary>Whether <c>serve</c> creates the user "demo" (password printed once) when the account store is empty.</summary>
    public bool CreateDemoUser { get; set; } = true;
}

public enum AccountStoreProvider
{
    /// <summary>accounts.db in DataDirectory: one node.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database that every node of a cluster shares.</summary>
    PostgreSql,
}

/// <summary>Where accounts, groups, folders, settings, usage and bans are kept.</summary>
public sealed class AccountStoreOptions
{
    public AccountStoreProvider Provider { get; set; } = AccountStoreProvider.Sqlite;

    /// <summary>For PostgreSql: an Npgsql connection string (Host, Port, Database, Username, and Password or Passfile).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// While the store is unreachable, a partner who logged in within this many hours (on this node, or on another one
    /// of a PostgreSQL cluster) is checked against that login (kept in memory only); others are asked to try again
    /// shortly. 0 turns offline logins off.
    /// </summary>
    public int OfflineLoginHours { get; set; } = 24;

    /// <summary>With PostgreSql: how often each node reads the logins the other nodes recorded, to keep them for an outage.</summary>
    public int OfflineLoginSyncSeconds { get; set; } = 30;
}

/// <summary>Running as one of several nodes behind a load balancer.</summary>
public sealed class ClusterOptions
{
    /// <summary>This node's name in logs and in the health check's answer. Empty: the machine's host name.</summary>
    public string? NodeName { get; set; }

    /// <summary>HTTP port of the health check (GET /health: 200 while serving, 503 while draining). 0 disables it.</summary>
    public int HealthPort { get; set; }

    /// <summary>How long a draining node waits for its running sessions to end before it stops anyway.</summary>
    public int DrainTimeoutSeconds { get; set; } = 600;

    /// <summary>
    /// TCP port on which this node takes data connections that another node received for one of this node's sessions
    /// (a balancer without per-node passive ranges). 0 (default): no relay; each node's passive range must be routed to it.
    /// </summary>
    public int RelayPort { get; set; }

    /// <summary>The address other nodes reach RelayPort at (this node's address on the cluster's internal network).</summary>
    public string? RelayAddress { get; set; }
}

public sealed class StorageOptions
{
    /// <summary>
    /// fsync each upload before its 226, so that a file the client was told is stored survives a power cut or a
    /// kernel crash. False answers once the data is in the page cache, as vsftpd, ProFTPD and pure-ftpd do: a crash
    /// of the server alone still loses nothing, but an upload acknowledged shortly before a power cut can be lost,
    /// empty or cut short under its name.
    /// </summary>
    public bool SyncUploads { get; set; } = true;

    /// <summary>
    /// How long an interrupted upload kept for resuming (user/group setting resume-uploads) waits for its client after
    /// its last byte arrived before the sweep removes it. 0: until resumed, replaced or deleted by hand (it counts
    /// against the quota all along).
    /// </summary>
    public int PartialUploadMaxAgeHours { get; set; } = 72;
}

public sealed class RetentionOptions
{
    /// <summary>How often homes and folders with a retention-days setting are swept.</summary>
    public int IntervalMinutes { get; set; } = 60;

    /// <summary>Log what would be deleted without deleting it.</summary>
    public bool DryRun { get; set; }
}
