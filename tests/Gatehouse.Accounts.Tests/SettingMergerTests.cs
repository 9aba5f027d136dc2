using Gatehouse.Accounts.Access;

namespace Gatehouse.Accounts.Tests;

public sealed class SettingMergerTests
{
    private static Dictionary<string, string> S(params (string Key, string Value)[] pairs) => pairs.ToDictionary(pair => pair.Key, pair => pair.Value);

    private static EffectiveSetting Get(IReadOnlyList<EffectiveSetting> merged, string key) => merged.Single(setting => setting.Key == key);

    [Fact]
    public void The_users_own_value_overrides_the_groups()
    {
        var merged = SettingMerger.Merge("alice", S(("quota-bytes", "100")), [("a", S(("quota-bytes", "5000")))]);
        Assert.Equal(new EffectiveSetting("quota-bytes", "100", "user alice"), Get(merged, "quota-bytes"));
    }

    [Fact]
    public void Among_groups_the_most_generous_limit_wins_and_unlimited_beats_any_number()
    {
        var merged = SettingMerger.Merge("alice", S(), [("a", S(("max-sessions", "2"))), ("b", S(("max-sessions", "5"))), ("c", S(("quota-files", "unlimited"))), ("d", S(("quota-files", "9")))]);
        Assert.Equal(new EffectiveSetting("max-sessions", "5", "group b"), Get(merged, "max-sessions"));
        Assert.Equal(new EffectiveSetting("quota-files", "unlimited", "group c"), Get(merged, "quota-files"));
    }

    [Fact]
    public void Resume_uploads_is_on_by_default_a_group_with_it_on_wins_and_the_users_own_overrides_them()
    {
        var groups = new List<(string, IReadOnlyDictionary<string, string>)> { ("a", S(("resume-uploads", "off"))), ("b", S(("resume-uploads", "on"))) };
        Assert.Equal(new EffectiveSetting("resume-uploads", "on", "group b"), Get(SettingMerger.Merge("alice", S(), groups), "resume-uploads"));
        Assert.True(Policy(S(), []).ResumeUploads);
        Assert.True(Policy(S(), groups).ResumeUploads);
        Assert.False(Policy(S(("resume-uploads", "off")), groups).ResumeUploads);
        Assert.False(Policy(S(), [("a", S(("resume-uploads", "off")))]).ResumeUploads);
    }

    [Theory]
    [InlineData("on", "on")]
    [InlineData(" OFF ", "off")]
    [InlineData("yes", "on")]
    [InlineData("false", "off")]
    public void Resume_uploads_takes_a_switch(string input, string stored)
    {
        Assert.True(SettingCatalog.TryPrepare(OwnerKind.Group, "resume-uploads", input, out var normalized, out var error), error);
        Assert.Equal(stored, normalized);
    }

    [Fact]
    public void Resume_uploads_refuses_anything_else_and_is_not_a_folder_setting()
    {
        Assert.False(SettingCatalog.TryPrepare(OwnerKind.User, "resume-uploads", "sometimes", out _, out var error));
        Assert.Contains("write on or off", error, StringComparison.Ordinal);
        Assert.False(SettingCatalog.TryPrepare(OwnerKind.Folder, "resume-uploads", "on", out _, out _));
    }

    private static AccessPolicy Policy(Dictionary<string, string> own, List<(string, IReadOnlyDictionary<string, string>)> groups) =>
        new([], SettingMerger.Merge("alice", own, groups), [], new Gatehouse.Storage.Access.PermissionTable([]), []);

    [Fact]
    public void Among_groups_the_strictest_TLS_policy_wins()
    {
        var merged = SettingMerger.Merge("alice", S(), [("a", S(("tls", "optional"))), ("b", S(("tls", "required")))]);
        Assert.Equal(new EffectiveSetting("tls", "required", "group b"), Get(merged, "tls"));
    }

    [Fact]
    public void Among_groups_the_strictest_data_tls_resumption_rule_wins_and_the_users_own_overrides_them()
    {
        var groups = new List<(string, IReadOnlyDictionary<string, string>)>
        {
            ("a", S(("data-tls-resumption", "sticky"))),
            ("b", S(("data-tls-resumption", "required"))),
            ("c", S(("data-tls-resumption", "optional"))),
        };
        Assert.Equal(new EffectiveSetting("data-tls-resumption", "required", "group b"), Get(SettingMerger.Merge("alice", S(), groups), "data-tls-resumption"));
        Assert.Equal("optional", Get(SettingMerger.Merge("alice", S(("data-tls-resumption", "optional")), groups), "data-tls-resumption").Value);
    }

    [Fact]
    public void Allow_lists_of_groups_add_up_unless_the_user_has_one_and_deny_lists_always_add_up()
    {
        var groups = new List<(string, IReadOnlyDictionary<string, string>)>
        {
            ("a", S(("allow", "10.0.0.0/8"), ("deny", "10.9.0.0/16"))),
            ("b", S(("allow", "192.0.2.0/24"))),
        };
        var merged = SettingMerger.Merge("alice", S(("deny", "10.8.0.0/16")), groups);
        Assert.Equal(new EffectiveSetting("allow", "10.0.0.0/8,192.0.2.0/24", "group a, group b"), Get(merged, "allow"));
        Assert.Equal(new EffectiveSetting("deny", "10.8.0.0/16,10.9.0.0/16", "user alice, group a"), Get(merged, "deny"));

        var own = SettingMerger.Merge("alice", S(("allow", "203.0.113.0/24")), groups);
        Assert.Equal(new EffectiveSetting("allow", "203.0.113.0/24", "user alice"), Get(own, "allow"));
    }

    [Fact]
    public void Unset_settings_say_they_come_from_the_server_default()
    {
        Assert.All(SettingMerger.Merge("alice", S(), []), setting => Assert.Equal((null, SettingMerger.ServerDefault), (setting.Value, setting.Source)));
    }

    [Theory]
    [InlineData("quota-bytes", "10G", "10737418240")]
    [InlineData("quota-bytes", "1.5M", "1572864")]
    [InlineData("quota-bytes", "500MiB", "524288000")]
    [InlineData("upload-rate", "4096", "4096")]
    [InlineData("max-sessions", "Unlimited", "unlimited")]
    [InlineData("tls", "Required", "required")]
    [InlineData("data-tls-resumption", " Sticky", "sticky")]
    [InlineData("allow", "10.1.2.3/8, 192.0.2.1", "10.0.0.0/8,192.0.2.1/32")]
    [InlineData("expires", "2027-01-31", "2027-01-31T00:00:00Z")]
    [InlineData("client-certificate", "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89", "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    public void Values_are_normalized_when_set(string key, string input, string expected)
    {
        Assert.True(SettingCatalog.TryPrepare(OwnerKind.User, key, input, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(OwnerKind.User, "quota-bytes", "lots", "not a size")]
    [InlineData(OwnerKind.User, "max-sessions", "0", "not a positive whole number")]
    [InlineData(OwnerKind.User, "tls", "maybe", "required or optional")]
    [InlineData(OwnerKind.Group, "data-tls-resumption", "always", "optional, sticky or required")]
    [InlineData(OwnerKind.Group, "expires", "2027-01-01", "cannot be set on a group")]
    [InlineData(OwnerKind.Folder, "tls", "required", "cannot be set on a folder")]
    [InlineData(OwnerKind.User, "colour", "blue", "Unknown setting 'colour'")]
    public void Bad_values_are_refused_with_the_reason(OwnerKind kind, string key, string input, string expected)
    {
        Assert.False(SettingCatalog.TryPrepare(kind, key, input, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Inherit_removes_the_setting()
    {
        Assert.True(SettingCatalog.TryPrepare(OwnerKind.User, "quota-bytes", "inherit", out var normalized, out _));
        Assert.Null(normalized);
    }
}
