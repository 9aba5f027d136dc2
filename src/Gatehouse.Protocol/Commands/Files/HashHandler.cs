using Gatehouse.Protocol.Hashing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Files;

/// <summary>draft-bryan-ftpext-hash: "213 SHA-256 0-size hash path", using the algorithm chosen with OPTS HASH.</summary>
public sealed class HashHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["HASH"], "HASH <file>");

    public IEnumerable<string> Features(IFtpSession session) => ["HASH " + FileHashAlgorithms.FeatureList(session.State.Hash)];

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!context.TryResolveArgument(Info.Syntax, out var path, out var refusal))
        {
            return refusal;
        }

        var entry = await context.FileSystem.GetEntryAsync(path, context.CancellationToken).ConfigureAwait(false);
        if (entry is not { IsDirectory: false })
        {
            return new FtpReply(550, entry is null ? $"{path} does not exist." : $"{path} is a directory.");
        }

        var algorithm = context.State.Hash;
        var content = await context.FileSystem.OpenReadAsync(path, 0, context.CancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            var hash = await FileHasher.ComputeAsync(content, algorithm, context.CancellationToken).ConfigureAwait(false);
            return new FtpReply(213, $"{FileHashAlgorithms.Name(algorithm)} 0-{entry.Size} {hash} {path}");
        }
    }
}
