using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Files;

/// <summary>RFC 3659 MLST: the facts of one entry, over the control connection.</summary>
public sealed class MlstHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["MLST"], "MLST [path]");

    public IEnumerable<string> Features(IFtpSession session) =>
        ["MLST " + string.Concat(SessionState.AllMlstFacts.Select(fact => fact + (session.State.MlstFacts.Contains(fact) ? "*;" : ";")))];

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.TryResolve(out var path, out var refusal))
        {
            return refusal;
        }

        var entry = await context.FileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false);
        return entry is null
            ? new FtpReply(550, $"{path} does not exist.")
            : new FtpReply(250, [$"Listing {path}", ListingFormatter.Facts(entry, context.State.MlstFacts, path.Value, path.IsRoot), "End."]);
    }
}
