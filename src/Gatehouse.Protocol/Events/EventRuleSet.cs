using Gatehouse.Accounts.Events;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// The rules as last read from the store, parsed: what the recorder matches events against and the dispatcher runs.
/// Replaced whole on each refresh, so readers never see half a set.
/// </summary>
public sealed class EventRuleSet
{
    private volatile IReadOnlyList<RuleMatcher> _matchers = [];

    /// <summary>Rules whose conditions cannot be parsed (a network list written by hand into the store) are left out.</summary>
    /// <returns>The names of the rules left out, with why.</returns>
    public IReadOnlyList<string> Replace(IEnumerable<EventRule> rules)
    {
        var matchers = new List<RuleMatcher>();
        var skipped = new List<string>();
        foreach (var rule in rules)
        {
            if (RuleMatcher.Create(rule, out var error) is { } matcher)
            {
                matchers.Add(matcher);
            }
            else
            {
                skipped.Add($"{rule.Name}: {error}");
            }
        }

        _matchers = matchers;
        return skipped;
    }

    public IEnumerable<EventRule> All => _matchers.Select(matcher => matcher.Rule);

    public EventRule? Find(string name) => _matchers.FirstOrDefault(matcher => matcher.Rule.Name == name)?.Rule;

    /// <summary>Cheap enough to ask for every event: most kinds have no rule at all.</summary>
    public bool Watches(EventKind kind) => _matchers.Any(matcher => matcher.Rule.Enabled && matcher.Rule.On == kind);

    public IEnumerable<EventRule> Matching(EventKind kind, ServerEvent happened) =>
        _matchers.Where(matcher => matcher.Matches(kind, happened)).Select(matcher => matcher.Rule);
}
