using System.Net;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Events;
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

    /// <summary>The recorded instruments (transfer bytes as they move, session and TLS handshake durations).</summary>
    public GatehouseMetrics Metrics { get; init; } = GatehouseMetrics.Unobserved;

    /// <summary>Every file transfer that ended, complete or not (listings are not file transfers).</summary>
    public event Action<TransferFinished>? TransferFinished;

    internal void OnTransferFinished(TransferFinished transfer) => TransferFinished?.Invoke(transfer);

    /// <summary>Event rules; null when the server runs without them (tests of sessions alone).</summary>
    public EventRecorder? Events { get; init; }

    /// <summary>Pre-upload rules; null when the server runs without event rules.</summary>
    public PreUploadCheck? PreUpload { get; init; }

    /// <summary>The check an upload of a session must pass before it is published, if any rule wants one.</summary>
    internal Storage.PublishCheck? PublishCheck(string path, string sessionId, SessionState state, IPAddress client) =>
        PreUpload?.For(Describe(new EventFacts(path), sessionId, state, client));

    /// <summary>Reports an event of a session, with who and from where; returns once it is queued, when a rule wants it.</summary>
    internal ValueTask RaiseAsync(EventKind kind, EventFacts facts, string sessionId, SessionState state, IPAddress client) =>
        Events is { } events ? events.RaiseAsync(kind, OnDisk(kind, Describe(facts, sessionId, state, client), state.FileSystem)) : ValueTask.CompletedTask;

    /// <summary>The real paths of an event about a file or folder that is, or was until this event, under its name.</summary>
    private static EventFacts OnDisk(EventKind kind, EventFacts facts, Storage.IFileSystem? files) =>
        kind is EventKind.Upload or EventKind.Download or EventKind.Delete or EventKind.Rename or EventKind.Mkdir or EventKind.Rmdir && files is not null
            ? facts with { RealPath = facts.RealPath ?? DiskPathOf(files, facts.Path), TargetRealPath = facts.TargetRealPath ?? DiskPathOf(files, facts.TargetPath) }
            : facts;

    private static string? DiskPathOf(Storage.IFileSystem files, string? path) =>
        path is not null && Storage.VirtualPath.TryResolve(Storage.VirtualPath.Root, path, out var resolved, out _) ? files.DiskPathOf(resolved) : null;

    private static EventFacts Describe(EventFacts facts, string sessionId, SessionState state, IPAddress client) => facts with
    {
        SessionId = sessionId,
        User = state.Account?.Name ?? facts.User,
        Groups = state.Policy?.Groups ?? facts.Groups,
        Client = client.ToString(),
    };
}
