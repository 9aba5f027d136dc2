namespace Gatehouse.Storage.Access;

/// <summary>Where a rule came from: the user's own rules override those of their groups at the same path.</summary>
public enum RuleLayer
{
    User,
    Group,
}

/// <param name="Source">For people: "user alice" or "group customers".</param>
public sealed record PermissionRule(VirtualPath Path, FilePermissions Permissions, RuleLayer Layer, string Source);

/// <summary>The outcome of a lookup, with the rule that decided it (null: the default).</summary>
public sealed record PermissionDecision(FilePermissions Permissions, PermissionRule? Rule);
