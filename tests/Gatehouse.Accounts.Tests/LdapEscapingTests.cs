using Gatehouse.Accounts.Ldap;

namespace Gatehouse.Accounts.Tests;

public sealed class LdapEscapingTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("*", "\\2a")]
    [InlineData("a)(uid=*", "a\\29\\28uid=\\2a")]
    [InlineData("back\\slash", "back\\5cslash")]
    [InlineData("nul\0", "nul\\00")]
    [InlineData("jörg", "j\\c3\\b6rg")]
    public void Filter_values_escape_the_characters_RFC_4515_reserves(string value, string escaped) =>
        Assert.Equal(escaped, LdapEscaping.FilterValue(value));

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("a,ou=admins", "a\\,ou\\=admins")]
    [InlineData("#lead", "\\#lead")]
    [InlineData(" both ", "\\ both\\ ")]
    [InlineData("x+y;\"<>", "x\\+y\\;\\\"\\<\\>")]
    public void Dn_values_escape_the_characters_RFC_4514_reserves(string value, string escaped) =>
        Assert.Equal(escaped, LdapEscaping.DnValue(value));

    [Theory]
    [InlineData("cn=partners,ou=groups,dc=example,dc=org", "partners")]
    [InlineData("CN=Sales\\, EMEA,OU=Groups,DC=corp", "Sales, EMEA")]
    [InlineData("cn=a+sn=b,dc=x", "a")]
    [InlineData("partners", "partners")]
    public void The_first_rdn_value_names_a_group(string dn, string name) =>
        Assert.Equal(name, LdapEscaping.FirstRdnValue(dn));

    [Fact]
    public void Group_mappings_match_by_dn_ignoring_case_and_spaces_or_by_name()
    {
        var map = new DirectoryGroupMap(
        [
            new LdapGroupMapping { DirectoryGroup = "CN=Partners, OU=Groups, DC=example, DC=org", Group = "customers" },
            new LdapGroupMapping { DirectoryGroup = "staff", Group = "employees" },
            new LdapGroupMapping { DirectoryGroup = "staff", Group = "everyone" },
        ]);

        Assert.Equal(["customers"], map.Map(["cn=partners,ou=groups,dc=example,dc=org"]));
        Assert.Equal(["employees", "everyone"], map.Map(["cn=Staff,ou=elsewhere,dc=example,dc=org"]));
        Assert.Empty(map.Map(["cn=partners,ou=other,dc=example,dc=org", "cn=staffing,dc=example,dc=org"]));
        Assert.Equal(["customers", "employees", "everyone"], map.Targets.Order(StringComparer.Ordinal));
    }
}
