using Gatehouse.Protocol.Hashing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Information;

/// <summary>RFC 2389 OPTS for UTF8 (RFC 2640), MLST (RFC 3659) and HASH.</summary>
public sealed class OptsHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["OPTS"], "OPTS UTF8 ON | OPTS MLST <facts> | OPTS HASH [algorithm]");

    public IEnumerable<string> Features(IFtpSession session) => ["UTF8"];

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var parts = context.Argument.Trim().Split(' ', 2, StringSplitOptions.TrimEntries);
        var option = parts[0].ToUpperInvariant();
        var value = parts.Length > 1 ? parts[1] : string.Empty;
        return ValueTask.FromResult(option switch
        {
            "UTF8" or "UTF-8" => value.Equals("OFF", StringComparison.OrdinalIgnoreCase)
                ? new FtpReply(504, "UTF-8 cannot be turned off; path names are always UTF-8.")
                : new FtpReply(200, "UTF-8 is on."),
            "MLST" => SetFacts(context.State, value),
            "HASH" => SetHash(context.State, value),
            _ => new FtpReply(501, $"Unknown option '{parts[0]}'."),
        });
    }

    private static FtpReply SetFacts(SessionState state, string value)
    {
        var requested = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(fact => fact.ToLowerInvariant())
            .Where(SessionState.AllMlstFacts.Contains)
            .Distinct()
            .ToList();
        state.MlstFacts = requested;
        return new FtpReply(200, "MLST OPTS " + string.Concat(requested.Select(fact => fact + ";")));
    }

    private static FtpReply SetHash(SessionState state, string value)
    {
        if (value.Length == 0)
        {
            return new FtpReply(200, FileHashAlgorithms.Name(state.Hash));
        }

        if (!FileHashAlgorithms.TryParse(value, out var algorithm))
        {
            return new FtpReply(504, "Unknown algorithm; choose one of " + string.Join(", ", FileHashAlgorithms.All.Select(FileHashAlgorithms.Name)) + ".");
        }

        state.Hash = algorithm;
        return new FtpReply(200, FileHashAlgorithms.Name(algorithm));
    }
}
