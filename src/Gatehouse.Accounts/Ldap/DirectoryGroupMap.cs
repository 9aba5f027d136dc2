using System.Text.RegularExpressions;

namespace Gatehouse.Accounts.Ldap;

/// <summary>Ldap:GroupMappings: which Gatehouse groups a directory user joins, given the user's directory groups.</summary>
public sealed partial class DirectoryGroupMap(IReadOnlyList<LdapGroupMapping> mappings)
{
    /// <summary>The groups this map manages: a directory account's membership in them follows the directory.</summary>
    public IReadOnlySet<string> Targets { get; } = mappings.Select(mapping => mapping.Group).ToHashSet(StringComparer.Ordinal);

    public IReadOnlySet<string> Map(IEnumerable<string> directoryGroups)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dn in directoryGroups)
        {
            var name = LdapEscaping.FirstRdnValue(dn);
            foreach (var mapping in mappings)
            {
                if (string.Equals(Normalize(mapping.DirectoryGroup), Normalize(dn), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(mapping.DirectoryGroup, name, StringComparison.OrdinalIgnoreCase))
                {
                    result.Add(mapping.Group);
                }
            }
        }

        return result;
    }

    /// <summary>"cn=Partners, ou=Groups" and "cn=Partners,ou=Groups" name the same entry.</summary>
    private static string Normalize(string dn) => SpacesAroundSeparators().Replace(dn.Trim(), "$1");

    [GeneratedRegex(@"\s*([,=+])\s*")]
    private static partial Regex SpacesAroundSeparators();
}
