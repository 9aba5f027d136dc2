namespace Gatehouse.Storage.Access;

/// <summary>
/// Per-path permissions. A rule applies to its path and everything below it; the most specific path wins.
/// At the same path the user's own rule replaces the rules of their groups, and several groups' rules add up
/// (membership grants). Paths no rule covers get <see cref="Default"/>.
/// </summary>
public sealed class PermissionTable
{
    private readonly Dictionary<string, List<PermissionRule>> _byPath = new(StringComparer.Ordinal);

    public PermissionTable(IEnumerable<PermissionRule> rules, FilePermissions defaultPermissions = FilePermissions.All)
    {
        Default = defaultPermissions;
        foreach (var rule in rules)
        {
            if (!_byPath.TryGetValue(rule.Path.Value, out var list))
            {
                _byPath[rule.Path.Value] = list = [];
            }

            list.Add(rule);
        }
    }

    public static PermissionTable AllowAll { get; } = new([]);

    public FilePermissions Default { get; }

    public IEnumerable<PermissionRule> Rules => _byPath.Values.SelectMany(list => list);

    public PermissionDecision Resolve(VirtualPath path)
    {
        for (var current = path; ; current = current.Parent)
        {
            if (_byPath.TryGetValue(current.Value, out var rules))
            {
                var own = rules.FirstOrDefault(rule => rule.Layer == RuleLayer.User);
                if (own is not null)
                {
                    return new PermissionDecision(own.Permissions, own);
                }

                var union = rules.Aggregate(FilePermissions.None, (sum, rule) => sum | rule.Permissions);
                return new PermissionDecision(union, rules[0]);
            }

            if (current.IsRoot)
            {
                return new PermissionDecision(Default, null);
            }
        }
    }

    public bool Allows(VirtualPath path, FilePermissions needed) => (Resolve(path).Permissions & needed) == needed;
}
