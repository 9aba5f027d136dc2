using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Files;

/// <summary>MFMT (draft-somers-ftp-mfxx): set a file's modification time, in UTC.</summary>
public sealed class MfmtHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["MFMT"], "MFMT YYYYMMDDHHMMSS <path>");

    public IEnumerable<string> Features(IFtpSession session) => ["MFMT"];

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var parts = context.Argument.Split(' ', 2);
        if (parts.Length != 2 || !ListingFormatter.TryParseTimestamp(parts[0], out var time))
        {
            return new FtpReply(501, $"Syntax: {Info.Syntax} (time in UTC).");
        }

        if (!context.TryResolve(out var path, out var refusal, parts[1]))
        {
            return refusal;
        }

        await context.FileSystem.SetLastModifiedAsync(path, time, context.CancellationToken).ConfigureAwait(false);
        return new FtpReply(213, $"Modify={ListingFormatter.Timestamp(time)}; {path}");
    }
}
