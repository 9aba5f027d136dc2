using System.Globalization;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Files;

/// <summary>RFC 3659 SIZE: the stored size in bytes (what REST offsets count).</summary>
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
        return entry switch
        {
            null => new FtpReply(550, $"{path} does not exist."),
            { IsDirectory: true } => new FtpReply(550, $"{path} is a directory, not a file."),
            _ => new FtpReply(213, entry.Size.ToString(CultureInfo.InvariantCulture)),
        };
    }
}
