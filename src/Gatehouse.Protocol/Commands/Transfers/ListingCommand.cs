using System.Buffers;
using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>Writes one line of a listing, without its CRLF, and returns its length in bytes.</summary>
internal delegate int ListingLineWriter(FileSystemEntry entry, Span<byte> destination);

/// <summary>What LIST, NLST and MLSD share: check the target first (so refusals come before 150), then read and send the listing as it goes.</summary>
internal static class ListingCommand
{
    // The block is sent once it holds BlockSize bytes, so each line starts with ListingFormatter.MaxLineBytes of room.
    private const int BlockSize = 64 * 1024;

    /// <param name="nameFileByPath">A file (not a directory) asked for by name is listed under its full path (NLST).</param>
    public static async ValueTask<FtpReply> SendAsync(
        FtpCommandContext context,
        string argument,
        bool requireDirectory,
        ListingLineWriter writeLine,
        bool nameFileByPath = false)
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
            ? ListingOrder.InNameOrderWhenSmall(await fileSystem.ListAsync(path, context.CancellationToken).ConfigureAwait(false))
            : [nameFileByPath ? entry with { Name = path.Value } : entry];
        return context.Session.StartTransfer(new TransferRequest(
            $"Here comes the listing of {path}.",
            async (data, progress, cancellationToken) =>
            {
                await WriteLinesAsync(entries, writeLine, data, progress, cancellationToken).ConfigureAwait(false);
                return new FtpReply(226, "Listing sent.");
            }));
    }

    /// <summary>Formats and sends the listing a block at a time, so a directory of any size costs one block of memory.</summary>
    private static async Task WriteLinesAsync(
        IEnumerable<FileSystemEntry> entries,
        ListingLineWriter writeLine,
        Stream data,
        DataChannel.TransferProgress progress,
        CancellationToken cancellationToken)
    {
        var block = ArrayPool<byte>.Shared.Rent(BlockSize + ListingFormatter.MaxLineBytes + 2);
        try
        {
            var used = 0;
            foreach (var entry in entries)
            {
                used += writeLine(entry, block.AsSpan(used, ListingFormatter.MaxLineBytes));
                block[used++] = (byte)'\r';
                block[used++] = (byte)'\n';
                if (used >= BlockSize)
                {
                    await data.WriteAsync(block.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
                    progress.Add(used);
                    used = 0;
                }
            }

            await data.WriteAsync(block.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
            progress.Add(used);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }
}
