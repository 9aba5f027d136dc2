using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Hashing;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>
/// What STOR, APPE and STOU share: the upload goes to a temporary file and is committed under its name only
/// after the client has sent every byte, so an aborted upload leaves the previous version intact. When the client or
/// the network cuts it, a new file is kept hidden for the client to resume, if the user's resume-uploads allows.
/// </summary>
internal static class UploadCommand
{
    public static async ValueTask<FtpReply> StartAsync(FtpCommandContext context, VirtualPath path, long keepExistingBytes, string openingText)
    {
        IUpload upload;
        try
        {
            upload = await context.FileSystem.BeginUploadAsync(path, keepExistingBytes, context.CancellationToken).ConfigureAwait(false);
        }
        catch (FileSystemException refused) when (refused.Error == FileSystemError.QuotaExceeded)
        {
            await context.Session.RaiseEventAsync(EventKind.QuotaExceeded, new EventFacts(path.Value, 0) { Reason = refused.Message }).ConfigureAwait(false);
            throw;
        }

        var ascii = context.State.Type == TransferType.Ascii;
        var throttle = context.Session.Throttle(TransferDirection.Incoming);
        var check = context.Session.PublishCheck(path);
        var digest = keepExistingBytes == 0 && context.Session.HashesUploads ? new UploadDigest() : null;
        return context.Session.StartTransfer(new TransferRequest(
            openingText,
            async (data, progress, cancellationToken) =>
            {
                await TransferCopier.CopyToLocalAsync(data, upload.Content, ascii, progress, throttle, digest, cancellationToken).ConfigureAwait(false);
                await (check is null ? upload.CommitAsync(cancellationToken) : upload.CommitAsync(check, cancellationToken)).ConfigureAwait(false);
                return new FtpReply(226, $"Transfer complete; stored as {path}.");
            },
            upload,
            new FileTransferRecord(path.Value, TransferDirection.Incoming, ascii),
            context.State.Policy is { ResumeUploads: true } ? () => KeepPartialAsync(context, upload, path) : null,
            digest));
    }

    /// <returns>The 426's text when something is kept.</returns>
    private static async ValueTask<string?> KeepPartialAsync(FtpCommandContext context, IUpload upload, VirtualPath path)
    {
        var grown = await upload.KeepPartialAsync(CancellationToken.None).ConfigureAwait(false);
        if (await context.FileSystem.GetPartialUploadSizeAsync(path, CancellationToken.None).ConfigureAwait(false) is not { } kept)
        {
            return null;
        }

        Log.PartialUploadKept(context.Session.Logger, path.Value, kept, grown);
        return $"Transfer interrupted; the {kept} bytes of {path} received so far are kept, hidden, for you to resume: TYPE I, then REST {kept} and STOR, or APPE (SIZE {path} tells the length).";
    }

    public static bool TryPrepare(FtpCommandContext context, out VirtualPath path, out FtpReply refusal, string? input = null)
    {
        path = default;
        if (!context.Session.CanStartTransfer(out refusal))
        {
            context.State.RestartOffset = 0;
            return false;
        }

        if (!context.TryResolve(out path, out refusal, input, errorCode: 553))
        {
            context.State.RestartOffset = 0;
            return false;
        }

        return true;
    }
}
