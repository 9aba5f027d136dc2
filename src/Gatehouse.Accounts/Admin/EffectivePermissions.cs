using Gatehouse.Accounts.Access;
using Gatehouse.Storage;
using Gatehouse.Storage.Access;

namespace Gatehouse.Accounts.Admin;

/// <summary>One row of a user's merged permissions: what applies inside <see cref="Path"/>, and which rules decided it.</summary>
public sealed record EffectivePermission(string Path, string Permissions, IReadOnlyList<string> From);

/// <summary>
/// The rows <c>gatehouse user show --effective</c> prints and <c>GET /api/v1/users/{name}/effective</c> returns: the
/// most specific path wins, a user's own rule beats the groups' at the same path, and "/" shows the default when no
/// rule covers it.
/// </summary>
public static class EffectivePermissions
{
    public const string DefaultSource = "default, where no rule applies";

    public static IReadOnlyList<EffectivePermission> Of(AccessPolicy policy)
    {
        var rows = new List<EffectivePermission>();
        var table = policy.Permissions;
        if (table.Resolve(VirtualPath.Root).Rule is null)
        {
            rows.Add(new EffectivePermission("/", FilePermissionNames.Format(table.Default), [DefaultSource]));
        }

        foreach (var path in table.Rules.Select(rule => rule.Path).Distinct().OrderBy(path => path.Value, StringComparer.Ordinal))
        {
            var decision = table.Resolve(path);
            var sources = table.Rules.Where(rule => rule.Path == path && (decision.Rule?.Layer != RuleLayer.User || rule.Layer == RuleLayer.User)).Select(rule => rule.Source);
            rows.Add(new EffectivePermission(path.Value, FilePermissionNames.Format(decision.Permissions), [.. sources]));
        }

        return rows;
    }
}
