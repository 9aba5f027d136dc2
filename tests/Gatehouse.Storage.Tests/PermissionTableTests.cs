using Gatehouse.Storage.Access;

namespace Gatehouse.Storage.Tests;

public sealed class PermissionTableTests
{
    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    private static PermissionRule Rule(string path, FilePermissions permissions, RuleLayer layer = RuleLayer.Group, string source = "group g") =>
        new(P(path), permissions, layer, source);

    [Fact]
    public void No_rule_means_the_default()
    {
        Assert.Equal(FilePermissions.All, new PermissionTable([]).Resolve(P("/a/b")).Permissions);
        Assert.Null(new PermissionTable([]).Resolve(P("/a/b")).Rule);
    }

    [Fact]
    public void Rules_are_inherited_by_sub_paths_and_the_most_specific_path_wins()
    {
        var table = new PermissionTable([Rule("/", FilePermissions.List), Rule("/out", FilePermissions.ReadOnly), Rule("/out/archive", FilePermissions.None)]);
        Assert.Equal(FilePermissions.List, table.Resolve(P("/in/x")).Permissions);
        Assert.Equal(FilePermissions.ReadOnly, table.Resolve(P("/out/2026/file.csv")).Permissions);
        Assert.Equal(FilePermissions.None, table.Resolve(P("/out/archive/old.csv")).Permissions);

        // "/outgoing" is not under "/out": matching is by whole path segments.
        Assert.Equal(FilePermissions.List, table.Resolve(P("/outgoing")).Permissions);
    }

    [Fact]
    public void The_users_own_rule_overrides_the_groups_at_the_same_path()
    {
        var table = new PermissionTable(
        [
            Rule("/in", FilePermissions.All, RuleLayer.Group, "group a"),
            Rule("/in", FilePermissions.List | FilePermissions.Upload, RuleLayer.User, "user alice"),
        ]);
        var decision = table.Resolve(P("/in/file"));
        Assert.Equal(FilePermissions.List | FilePermissions.Upload, decision.Permissions);
        Assert.Equal("user alice", decision.Rule!.Source);
    }

    [Fact]
    public void A_more_specific_group_rule_beats_a_less_specific_user_rule()
    {
        var table = new PermissionTable([Rule("/", FilePermissions.All, RuleLayer.User, "user alice"), Rule("/shared", FilePermissions.ReadOnly)]);
        Assert.Equal(FilePermissions.ReadOnly, table.Resolve(P("/shared/x")).Permissions);
    }

    [Fact]
    public void Rules_of_several_groups_at_one_path_add_up()
    {
        var table = new PermissionTable([Rule("/x", FilePermissions.List, source: "group a"), Rule("/x", FilePermissions.Download | FilePermissions.Upload, source: "group b")]);
        Assert.Equal(FilePermissions.List | FilePermissions.Download | FilePermissions.Upload, table.Resolve(P("/x")).Permissions);
        Assert.True(table.Allows(P("/x/y"), FilePermissions.Upload));
        Assert.False(table.Allows(P("/x/y"), FilePermissions.Delete));
    }

    [Theory]
    [InlineData("list,download", FilePermissions.ReadOnly)]
    [InlineData("all", FilePermissions.All)]
    [InlineData("none", FilePermissions.None)]
    [InlineData("List, Upload ,mkdir", FilePermissions.List | FilePermissions.Upload | FilePermissions.CreateDirectories)]
    [InlineData("create_dirs,remove-dirs,set_times", FilePermissions.CreateDirectories | FilePermissions.RemoveDirectories | FilePermissions.SetTimes)]
    public void Permission_names_parse(string text, FilePermissions expected)
    {
        Assert.True(FilePermissionNames.TryParse(text, out var parsed, out var error), error);
        Assert.Equal(expected, parsed);
        Assert.True(FilePermissionNames.TryParse(FilePermissionNames.Format(parsed), out var again, out _));
        Assert.Equal(parsed, again);
    }

    [Fact]
    public void Unknown_permission_names_are_refused_with_the_known_ones()
    {
        Assert.False(FilePermissionNames.TryParse("list,chmod", out _, out var error));
        Assert.Contains("Unknown permission 'chmod'", error, StringComparison.Ordinal);
        Assert.Contains("create-dirs", error, StringComparison.Ordinal);
    }
}
