using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Hashing;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Sessions;

/// <summary>
/// A transfer a handler has prepared (file opened, listing built) and hands to the session to run over the
/// data connection. <see cref="Resource"/> is disposed whatever happens; the body returns the final reply.
/// <see cref="Interrupted"/>, when given, is called before that when the client or the network cut the transfer (ABOR,
/// the data connection lost or ended without TLS close_notify, the control connection lost, the server stopping), but
/// not when it failed for another reason (storage, a second connection on the data port, an internal error). What it
/// returns, when not null, replaces the text of the 426 (what was kept and how to go on). <see cref="Digest"/>, when
/// given, is the upload's hash that the body fills (the upload event's sha256); disposed with the resource.
/// </summary>
public sealed record TransferRequest(
    string OpeningText,
    Func<Stream, TransferProgress, CancellationToken, Task<FtpReply>> Body,
    IAsyncDisposable? Resource = null,
    FileTransferRecord? Record = null,
    Func<ValueTask<string?>>? Interrupted = null,
    UploadDigest? Digest = null);

/// <summary>Present for file transfers, which are written to the transfer log; absent for listings.</summary>
/// <param name="Size">The bytes the transfer will move when known before it starts (a binary download), for its progress.</param>
public sealed record FileTransferRecord(string Path, TransferDirection Direction, bool Ascii, long? Size = null);

internal sealed class TransferRun(
    CancellationTokenSource cancellation, string description, TransferDirection? direction, long? size, DateTimeOffset startedAt, TransferProgress progress)
{
    public CancellationTokenSource Cancellation { get; } = cancellation;

    public string Description { get; } = description;

    /// <summary>Null for a listing.</summary>
    public TransferDirection? Direction { get; } = direction;

    /// <summary>The bytes it will move, when known.</summary>
    public long? Size { get; } = size;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public TransferProgress Progress { get; } = progress;

    public Task Task { get; set; } = Task.CompletedTask;

    public volatile bool Aborted;

    /// <summary>A second connection from the client's address reached the data port (<see cref="DataChannel.PassiveReservation.Raced"/>).</summary>
    public volatile bool Raced;

    public volatile Stream? Data;
}
