using System.Text;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>What LIST, NLST and MLSD share: build the listing first (so errors come before 150), then send it.</summary>
internal static class ListingCommand
{
    public static async ValueTask<FtpReply> SendAsync(
        FtpCommandContext context,
        string argument,
        bool requireDirectory,
        Func<VirtualPath, FileSystemEntry, IReadOnlyList<FileSystemEntry>, IEnumerable<string>> format)
    {
        if (!context.Session.CanStartTransfer(out var refusal) || !context.TryResolve(out var path, out refusal, argument))
        {
            return refusal;
        }

        var fileSystem = context.FileSystem;
        var entry = await fileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return new FtpReply(550, $"{path} does not exist.");
        }

        if (requireDirectory && !entry.IsDirectory)
        {
            return new FtpReply(501, $"{path} is not a directory; use MLST for a single entry.");
        }

        var entries = entry.IsDirectory
            ? (await fileSystem.ListAsync(path, context.CancellationToken).ConfigureAwait(false)).OrderBy(item => item.Name, StringComparer.Ordinal).ToList()
            : [entry];
        var builder = new StringBuilder();
        foreach (var line in format(path, entry, entries))
        {
            builder.Append(line).Append("\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        return context.Session.StartTransfer(new TransferRequest(
            $"Here comes the listing of {path}.",
            async (data, progress, cancellationToken) =>
            {
                await data.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                progress.Add(bytes.Length);
                return new FtpReply(226, "Listing sent.");
            }));
    }
}
