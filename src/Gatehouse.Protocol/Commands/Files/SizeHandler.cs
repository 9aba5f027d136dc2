using System.Globalization;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Files;

/// <summary>
/// RFC 3659 SIZE: the stored size in bytes (what REST offsets count). For a name no file holds, the length of the
/// user's interrupted upload kept for resuming, if there is one: where FileZilla, WinSCP, lftp and curl restart.
/// </summary>
public sealed class SizeHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["SIZE"], "SIZE <file>");

    public IEnumerable<string> Features(IFtpSession session) => ["SIZE"];

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.TryResolve(out var path, out var refusal))
        {
            return refusal;
        }

        var entry = await context.FileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false);
        var partial = entry is null ? await context.FileSystem.GetPartialUploadSizeAsync(path, context.CancellationToken).ConfigureAwait(false) : null;
        return entry switch
        {
            null when partial is { } kept => new FtpReply(213, kept.ToString(CultureInfo.InvariantCulture)),
            null => new FtpReply(550, $"{path} does not exist."),
            { IsDirectory: true } => new FtpReply(550, $"{path} is a directory, not a file."),
            _ => new FtpReply(213, entry.Size.ToString(CultureInfo.InvariantCulture)),
        };
    }
}
