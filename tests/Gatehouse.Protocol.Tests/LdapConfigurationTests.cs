using Gatehouse.Accounts.Ldap;
using Gatehouse.Protocol.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Protocol.Tests;

public sealed class LdapConfigurationTests
{
    private static GatehouseOptions With(Action<LdapOptions> change)
    {
        var options = new GatehouseOptions();
        options.Ldap.Enabled = true;
        options.Ldap.Server = "dc1.corp.example.com";
        options.Ldap.BindDn = "cn=gatehouse,ou=services,dc=example,dc=org";
        options.Ldap.BindPassword = "service-secret";
        options.Ldap.UserSearchBase = "ou=people,dc=example,dc=org";
        options.Ldap.GroupMappings.Add(new LdapGroupMapping { DirectoryGroup = "partners", Group = "customers" });
        change(options.Ldap);
        return options;
    }

    [Fact]
    public void A_complete_search_then_bind_configuration_is_valid_and_disabled_ldap_is_not_checked()
    {
        Assert.Empty(GatehouseOptionsValidator.Problems(With(_ => { })));
        Assert.Empty(GatehouseOptionsValidator.Problems(With(ldap => { ldap.Enabled = false; ldap.Server = string.Empty; })));
        Assert.Equal(636, With(ldap => ldap.Security = LdapSecurity.Ldaps).Ldap.EffectivePort);
        Assert.Equal(389, With(_ => { }).Ldap.EffectivePort);
    }

    [Theory]
    [InlineData("server", "Ldap:Server: must be set")]
    [InlineData("clear-text", "Ldap:Security: None would send every password to dc1.corp.example.com in clear text")]
    [InlineData("no-password", "Ldap:BindPassword: give exactly one of")]
    [InlineData("no-search-base", "Ldap:UserSearchBase: must be set with Ldap:BindDn")]
    [InlineData("no-template", "Ldap:UserDnTemplate: must contain {0}")]
    [InlineData("upn-template", "Ldap:UserSearchBase: must be set when Ldap:UserDnTemplate ('{0}@corp.example.com') is not a DN")]
    [InlineData("filter", "Ldap:UserFilter: 'uid=alice' must be a parenthesized filter containing {0}")]
    [InlineData("group-filter", "Ldap:GroupFilter: '(objectClass=group)' must be a parenthesized filter")]
    [InlineData("no-mappings", "Ldap:GroupMappings: is empty, so no directory user could log in")]
    [InlineData("bad-group", "Ldap:GroupMappings:0:Group: 'bad group' is not a Gatehouse group name")]
    [InlineData("timeout", "Ldap:TimeoutSeconds: 0 is outside 1-60")]
    [InlineData("ca", "Ldap:TrustedCertificatesDirectory: directory '/nonexistent/ca' does not exist")]
    public void Each_mistake_names_the_key_and_the_fix(string mistake, string expected)
    {
        var options = With(ldap =>
        {
            switch (mistake)
            {
                case "server": ldap.Server = " "; break;
                case "clear-text": ldap.Security = LdapSecurity.None; break;
                case "no-password": ldap.BindPassword = null; break;
                case "no-search-base": ldap.UserSearchBase = null; break;
                case "no-template": ldap.BindDn = null; break;
                case "upn-template": ldap.BindDn = null; ldap.UserSearchBase = null; ldap.UserDnTemplate = "{0}@corp.example.com"; break;
                case "filter": ldap.UserFilter = "uid=alice"; break;
                case "group-filter": ldap.GroupSearchBase = "ou=groups,dc=example,dc=org"; ldap.GroupFilter = "(objectClass=group)"; break;
                case "no-mappings": ldap.GroupMappings.Clear(); break;
                case "bad-group": ldap.GroupMappings[0].Group = "bad group"; break;
                case "timeout": ldap.TimeoutSeconds = 0; break;
                case "ca": ldap.TrustedCertificatesDirectory = "/nonexistent/ca"; break;
            }
        });

        var problems = GatehouseOptionsValidator.Problems(options);

        Assert.Contains(problems, problem => problem.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Plain_ldap_is_accepted_for_a_directory_on_loopback()
    {
        Assert.Empty(GatehouseOptionsValidator.Problems(With(ldap => { ldap.Server = "127.0.0.1"; ldap.Security = LdapSecurity.None; })));
        Assert.Empty(GatehouseOptionsValidator.Problems(With(ldap => { ldap.Server = "::1"; ldap.Security = LdapSecurity.None; })));
    }

    [Fact]
    public void Ldap_keys_are_known_and_their_types_checked()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ldap:Enabled"] = "true",
            ["Ldap:Security"] = "Kerberos",
            ["Ldap:GroupMappings:0:DirectoryGroup"] = "partners",
            ["Ldap:GroupMappings:0:Group"] = "customers",
            ["Ldap:Sever"] = "dc1",
        }).Build();

        var problems = ConfigurationKeys.Check(configuration, out _);

        Assert.Equal(2, problems.Count);
        Assert.Contains("Ldap:Security: 'Kerberos' is not an LDAP security mode; use StartTls, Ldaps or None.", problems);
        Assert.Contains(problems, problem => problem.StartsWith("Ldap:Sever: unknown setting (did you mean Ldap:Server?)", StringComparison.Ordinal));
    }
}
