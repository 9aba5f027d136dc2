using System.Globalization;

namespace Gatehouse.Accounts.Access;

/// <summary>A setting's value after merging, and who it came from ("user alice", "group a, group b").</summary>
public sealed record EffectiveSetting(string Key, string? Value, string Source);

/// <summary>Combines a user's own settings with those of their groups, setting by setting (pure, so it is unit-tested directly).</summary>
public static class SettingMerger
{
    public const string ServerDefault = "server default";

    public static IReadOnlyList<EffectiveSetting> Merge(
        string user,
        IReadOnlyDictionary<string, string> own,
        IReadOnlyList<(string Group, IReadOnlyDictionary<string, string> Settings)> groups)
    {
        var result = new List<EffectiveSetting>();
        foreach (var definition in SettingCatalog.All)
        {
            var key = definition.Key;
            own.TryGetValue(key, out var mine);
            var fromGroups = groups
                .Where(group => group.Settings.ContainsKey(key))
                .Select(group => (Value: group.Settings[key], Source: $"group {group.Group}"))
                .ToList();
            result.Add(definition.Merge switch
            {
                MergeRule.Accumulate => Union(key, [.. (mine is null ? [] : new[] { (Value: mine, Source: $"user {user}") }), .. fromGroups]),
                _ when mine is not null => new EffectiveSetting(key, mine, $"user {user}"),
                MergeRule.UnionOfGroups => Union(key, fromGroups),
                MergeRule.Strictest => Pick(key, fromGroups, (a, b) => Rank(a) > Rank(b)),
                _ => Pick(key, fromGroups, MoreGenerous),
            });
        }

        return result;
    }

    private static EffectiveSetting Union(string key, List<(string Value, string Source)> values) =>
        values.Count == 0
            ? new EffectiveSetting(key, null, ServerDefault)
            : new EffectiveSetting(
                key,
                string.Join(',', values.SelectMany(entry => entry.Value.Split(',')).Distinct(StringComparer.Ordinal)),
                string.Join(", ", values.Select(entry => entry.Source)));

    private static EffectiveSetting Pick(string key, List<(string Value, string Source)> values, Func<string, string, bool> better)
    {
        if (values.Count == 0)
        {
            return new EffectiveSetting(key, null, ServerDefault);
        }

        var best = values[0];
        foreach (var candidate in values.Skip(1))
        {
            if (better(candidate.Value, best.Value))
            {
                best = candidate;
            }
        }

        return new EffectiveSetting(key, best.Value, best.Source);
    }

    /// <summary>How strict a TLS rule (<c>tls</c>, <c>data-tls-resumption</c>) is.</summary>
    private static int Rank(string rule) => rule switch
    {
        "required" => 2,
        "sticky" => 1,
        _ => 0,
    };

    private static bool MoreGenerous(string candidate, string best) =>
        (candidate == SettingValues.On && best == SettingValues.Off)
        || best != SettingValues.Unlimited
        && (candidate == SettingValues.Unlimited
            || long.TryParse(candidate, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            && long.TryParse(best, NumberStyles.None, CultureInfo.InvariantCulture, out var b)
            && a > b);
}
