namespace Gatehouse.Accounts.Events;

public enum RuleActionKind
{
    Webhook,
    Command,
    MoveTo,
    CopyTo,
    Delete,
    Mail,
}

/// <summary>One step of a rule. Several run in order; a failed step fails the delivery, which is retried from the first step.</summary>
public sealed class RuleAction
{
    public required RuleActionKind Kind { get; init; }

    /// <summary>The URL, the executable, or the virtual folder; empty for Delete.</summary>
    public string Target { get; init; } = string.Empty;

    /// <summary>Webhook: the HMAC-SHA256 key of X-Gatehouse-Signature.</summary>
    public string? Secret { get; init; }

    /// <summary>Command: the argument list, passed as is (no shell).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Mail: the subject template ({kind}, {user}, {path}... replaced by the event's fields); null: a default.</summary>
    public string? Subject { get; init; }

    /// <summary>Mail: the body template; null: the event's fields, one a line.</summary>
    public string? Body { get; init; }

    public int TimeoutSeconds { get; init; } = DefaultTimeoutSeconds;

    public const int DefaultTimeoutSeconds = 30;

    public override string ToString() => Kind switch
    {
        RuleActionKind.Webhook => $"webhook {Target}{(Secret is null ? " (unsigned)" : " (signed)")}",
        RuleActionKind.Command => $"command {Target}{string.Concat(Arguments.Select(argument => " " + argument))}",
        RuleActionKind.MoveTo => $"move to {Target}",
        RuleActionKind.CopyTo => $"copy to {Target}",
        RuleActionKind.Mail => $"mail to {Target}",
        _ => "delete the file",
    } + $" (time-out {TimeoutSeconds} s)";
}

/// <summary>What an event must match for a rule to fire; an unset condition matches everything.</summary>
public sealed class RuleConditions
{
    public string? User { get; init; }

    public string? Group { get; init; }

    /// <summary>Glob over the virtual path: * within one folder, ** across folders, ? one character.</summary>
    public string? Path { get; init; }

    /// <summary>Glob over the file name alone.</summary>
    public string? Name { get; init; }

    public long? MinSize { get; init; }

    public long? MaxSize { get; init; }

    /// <summary>Comma-separated CIDR list the client address must be in.</summary>
    public string? Network { get; init; }

    /// <summary>Only files last modified at least this many days before the event (scheduled rules).</summary>
    public int? OlderThanDays { get; init; }
}

/// <summary>A named rule: on an event kind, if the conditions match, run the actions.</summary>
public sealed class EventRule
{
    public required string Name { get; init; }

    public required EventKind On { get; init; }

    public RuleConditions Conditions { get; init; } = new();

    public IReadOnlyList<RuleAction> Actions { get; init; } = [];

    public bool Enabled { get; init; } = true;

    /// <summary>For <see cref="EventKind.Schedule"/>: when it fires, a cron expression (minute hour day month weekday) in UTC.</summary>
    public string? Cron { get; init; }
}
