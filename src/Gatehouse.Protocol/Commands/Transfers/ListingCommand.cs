using System.Buffers;
using System.Text;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>What LIST, NLST and MLSD share: build the listing first (so errors come before 150), then send it.</summary>
internal static class ListingCommand
{
    private const int BlockSize = 64 * 1024;

    // The block is sent once it holds BlockSize bytes, so each line starts with at least this much room: enough
    // for the longest line, NLST's answer for a single file, a path of VirtualPath.MaxPathLength characters at
    // 3 UTF-8 bytes each (a listed name is at most VirtualPath.MaxNameLength, with its facts or ls columns).
    private const int MaxLineBytes = 16 * 1024;

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

        var entries = entry.IsDirectory ? await ListSortedAsync(fileSystem, path, context.CancellationToken).ConfigureAwait(false) : [entry];
        var lines = format(path, entry, entries);
        return context.Session.StartTransfer(new TransferRequest(
            $"Here comes the listing of {path}.",
            async (data, progress, cancellationToken) =>
            {
                await WriteLinesAsync(lines, data, progress, cancellationToken).ConfigureAwait(false);
                return new FtpReply(226, "Listing sent.");
            }));
    }

    /// <summary>Sorted by name in place: one array of references, no sort keys or index maps beside it.</summary>
    private static async ValueTask<FileSystemEntry[]> ListSortedAsync(IFileSystem fileSystem, VirtualPath path, CancellationToken cancellationToken)
    {
        var entries = (await fileSystem.ListAsync(path, cancellationToken).ConfigureAwait(false)).ToArray();
        Array.Sort(entries, static (left, right) => string.CompareOrdinal(left.Name, right.Name));
        return entries;
    }

    /// <summary>Formats and sends the listing a block at a time, so a directory of any size costs one block of memory.</summary>
    private static async Task WriteLinesAsync(IEnumerable<string> lines, Stream data, DataChannel.TransferProgress progress, CancellationToken cancellationToken)
    {
        var block = ArrayPool<byte>.Shared.Rent(BlockSize + MaxLineBytes);
        try
        {
            var used = 0;
            foreach (var line in lines)
            {
                used += Encoding.UTF8.GetBytes(line, block.AsSpan(used));
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
