using Gatehouse.Accounts.Events;

namespace Gatehouse.Protocol.Events;

/// <summary>What the code that saw an event knows of it; the session adds who and from where, the recorder when and on which node.</summary>
public sealed record EventFacts(string? Path = null, long? Size = null)
{
    public string? SessionId { get; init; }

    public string? User { get; init; }

    public IReadOnlyList<string> Groups { get; init; } = [];

    public string? Client { get; init; }

    public string? TargetPath { get; init; }

    public string? RealPath { get; init; }

    public string? TargetRealPath { get; init; }

    public string? Sha256 { get; init; }

    public long? DurationMilliseconds { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset? Modified { get; init; }

    public DateTimeOffset? Until { get; init; }

    public ServerEvent ToEvent(EventKind kind, string node, DateTimeOffset time) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Kind = kind.Name(),
        Time = time,
        Node = node,
        SessionId = SessionId,
        User = User,
        Groups = Groups,
        Client = Client,
        Path = Path,
        TargetPath = TargetPath,
        RealPath = RealPath,
        TargetRealPath = TargetRealPath,
        Size = Size,
        Sha256 = Sha256,
        DurationMilliseconds = DurationMilliseconds,
        Reason = Reason,
        Modified = Modified,
        Until = Until,
    };
}
