using System.Net;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>What a command handler may see of and ask of its session; handlers never hold the concrete session.</summary>
public interface IFtpSession
{
    string Id { get; }

    IPEndPoint LocalEndPoint { get; }

    IPEndPoint ClientEndPoint { get; }

    /// <summary>What the protocol remembers between commands.</summary>
    SessionState State { get; }

    ILogger Logger { get; }

    bool IsControlSecure { get; }

    /// <summary>The control connection's protocol and cipher, or "plain text", for STAT.</summary>
    string ControlSecurity { get; }

    /// <summary>SHA-256 of the certificate the client presented on the control connection, upper-case hex.</summary>
    string? ClientCertificateFingerprint { get; }

    bool IsTransferring { get; }

    /// <summary>What the running transfer has moved so far, for STAT; null when none runs.</summary>
    string? TransferStatus { get; }

    /// <summary>Checked before a handler opens anything (<see cref="DataChannelPolicy.TransferRefusal"/>).</summary>
    bool CanStartTransfer(out FtpReply refusal);

    /// <summary>Runs the prepared transfer in the background; the reply to return is <see cref="FtpReply.Deferred"/>.</summary>
    FtpReply StartTransfer(TransferRequest request);

    /// <returns>True when a transfer was running and has now been stopped (its 426 already sent).</returns>
    Task<bool> AbortTransferAsync();

    /// <summary>Reserves a passive port for the next transfer, replacing any earlier PASV/PORT.</summary>
    Task<PassiveReservation> OpenPassiveAsync();

    Task SetActiveTargetAsync(IPEndPoint target);

    /// <summary>The user's shared bandwidth limit for this direction, if any.</summary>
    TransferThrottle? Throttle(TransferDirection direction);

    /// <param name="userSession">The login's place in the per-user session count, given back on logout or at the end.</param>
    void CompleteLogin(Account account, AccessPolicy policy, IFileSystem fileSystem, IUserSessionTicket userSession);

    /// <summary>REIN: a transfer already running finishes; a passive port reserved for the next one is given back.</summary>
    Task LogoutAsync();

    /// <summary>Reports an event to the event rules; when a rule matches, it is queued before this returns.</summary>
    ValueTask RaiseEventAsync(EventKind kind, EventFacts facts);

    /// <summary>Events:HashUploads: uploads are hashed as they are written, for the upload event's sha256.</summary>
    bool HashesUploads { get; }

    /// <summary>What an upload to <paramref name="path"/> must pass before it is published (pre-upload rules), if anything.</summary>
    PublishCheck? PublishCheck(VirtualPath path);
}
