using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Information;

/// <summary>STAT: server status (with transfer progress while one runs), or STAT path: a listing over the control connection.</summary>
public sealed class StatHandler(TimeProvider time) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["STAT"], "STAT [path]");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var session = context.Session;
        if (!context.Command.HasArgument || session.IsTransferring)
        {
            return Status(session);
        }

        if (!context.TryResolve(out var path, out var refusal, ListArguments.StripOptions(context.Argument)))
        {
            return refusal;
        }

        var entry = await context.FileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return new FtpReply(550, $"{path} does not exist.");
        }

        var now = time.GetUtcNow();
        var entries = entry.IsDirectory ? await context.FileSystem.ListAsync(path, context.CancellationToken).ConfigureAwait(false) : [entry];
        var lines = new List<string> { $"Status of {path}:" };
        lines.AddRange(entries.Select(item => ListingFormatter.UnixLine(item, now)));
        lines.Add("End of status.");
        return new FtpReply(213, lines);
    }

    private static FtpReply Status(IFtpSession session)
    {
        var state = session.State;
        return new FtpReply(211,
        [
            "Gatehouse FTP server status:",
            $"Connected from {session.ClientEndPoint.Address}",
            $"Logged in as {state.Account?.Name}",
            $"TYPE: {(state.Type == TransferType.Ascii ? "ASCII" : "BINARY")}; STRU: File; MODE: Stream",
            $"Control connection: {session.ControlSecurity}",
            $"Data connections: {(state.Protection == DataProtection.Private ? "encrypted (PROT P)" : "clear text (PROT C)")}",
            session.TransferStatus is { } transfer ? $"Transfer in progress: {transfer}" : "No transfer in progress",
            "End of status.",
        ]);
    }
}
