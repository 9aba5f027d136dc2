using System.Net;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Sessions;

public enum TransferOutcome
{
    /// <summary>Answered 2xx: every byte moved (an upload is stored under its name).</summary>
    Complete,

    /// <summary>Answered 4xx/5xx after it started (aborted, connection lost, storage error, refused upload).</summary>
    Failed,

    /// <summary>Never answered: the session ended (client gone, server stopping) while it ran.</summary>
    Interrupted,
}

/// <summary>
/// One file transfer that has ended, however it ended: raised once per transfer by the session's transfer runner
/// (<see cref="FtpServerContext.TransferFinished"/>), after the transfer log line and before the final reply.
/// </summary>
public sealed record TransferFinished(
    string SessionId,
    string? User,
    IPAddress Client,
    string Path,
    TransferDirection Direction,
    bool Ascii,
    long Bytes,
    TimeSpan Duration,
    TransferOutcome Outcome,
    FtpReply? Reply,
    string? Failure);
