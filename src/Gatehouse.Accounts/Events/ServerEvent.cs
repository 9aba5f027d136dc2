namespace Gatehouse.Accounts.Events;

/// <summary>
/// One event as rules see it and as it is queued, delivered and sent to webhooks (camelCase JSON). Fields that do not
/// apply to the kind are null.
/// </summary>
public sealed class ServerEvent
{
    /// <summary>Unique per event; a rule's delivery of it is a separate, numbered row of the queue.</summary>
    public required string Id { get; init; }

    /// <summary>An <see cref="EventKinds"/> name.</summary>
    public required string Kind { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>The node where it happened (Cluster:NodeName).</summary>
    public required string Node { get; init; }

    public string? SessionId { get; init; }

    public string? User { get; init; }

    public IReadOnlyList<string> Groups { get; init; } = [];

    public string? Client { get; init; }

    /// <summary>The path as the user sees it.</summary>
    public string? Path { get; init; }

    /// <summary>Where a rename went.</summary>
    public string? TargetPath { get; init; }

    /// <summary>The file or folder on the server's disk, when the event knows it.</summary>
    public string? RealPath { get; init; }

    /// <summary>Where a rename went, on the server's disk.</summary>
    public string? TargetRealPath { get; init; }

    public long? Size { get; init; }

    /// <summary>When the file was last modified (scheduled rules, which act on files already there).</summary>
    public DateTimeOffset? Modified { get; init; }

    /// <summary>Lower-case hex SHA-256 of the file, when the upload was hashed.</summary>
    public string? Sha256 { get; init; }

    public long? DurationMilliseconds { get; init; }

    /// <summary>Why something failed or was refused.</summary>
    public string? Reason { get; init; }

    /// <summary>When a ban ends.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>The file name (the last part of <see cref="Path"/>).</summary>
    public string? FileName => Path is null ? null : Path[(Path.LastIndexOf('/') + 1)..];
}
