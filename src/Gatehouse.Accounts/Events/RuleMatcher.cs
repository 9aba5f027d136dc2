using System.Net;
using Gatehouse.Accounts.Networks;

namespace Gatehouse.Accounts.Events;

/// <summary>A rule's conditions, parsed once: whether an event fires the rule.</summary>
public sealed class RuleMatcher
{
    private readonly RuleConditions _conditions;
    private readonly PathGlob? _path;
    private readonly PathGlob? _name;
    private readonly NetworkList? _network;

    private RuleMatcher(EventRule rule, PathGlob? path, PathGlob? name, NetworkList? network)
    {
        Rule = rule;
        _conditions = rule.Conditions;
        (_path, _name, _network) = (path, name, network);
    }

    public EventRule Rule { get; }

    /// <returns>Null with <paramref name="error"/> when a condition cannot be parsed.</returns>
    public static RuleMatcher? Create(EventRule rule, out string error)
    {
        NetworkList? network = null;
        if (rule.Conditions.Network is { } text && !NetworkList.TryParse(text, out network, out error))
        {
            return null;
        }

        error = string.Empty;
        var conditions = rule.Conditions;
        return new RuleMatcher(
            rule,
            conditions.Path is null ? null : PathGlob.Parse(conditions.Path),
            conditions.Name is null ? null : PathGlob.Parse(conditions.Name),
            network);
    }

    public bool Matches(EventKind kind, ServerEvent happened)
    {
        if (!Rule.Enabled || Rule.On != kind)
        {
            return false;
        }

        var c = _conditions;
        return (c.User is null || string.Equals(c.User, happened.User, StringComparison.Ordinal))
            && (c.Group is null || happened.Groups.Contains(c.Group, StringComparer.Ordinal))
            && (_path is null || (happened.Path is { } path && _path.Matches(path)))
            && (_name is null || (happened.FileName is { } name && _name.Matches(name)))
            && (c.MinSize is null || happened.Size >= c.MinSize)
            && (c.MaxSize is null || happened.Size <= c.MaxSize)
            && (_network is null || (IPAddress.TryParse(happened.Client, out var client) && _network.Contains(client)))
            && (c.OlderThanDays is not { } days || (happened.Modified is { } modified && modified <= happened.Time.AddDays(-days)));
    }
}
