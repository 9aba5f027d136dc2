using System.Net;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Ldap;

namespace Gatehouse.Protocol.Configuration;

/// <summary>Checks of the Ldap section, made only when Ldap:Enabled is true.</summary>
internal static class LdapOptionsValidation
{
    public static void Check(LdapOptions ldap, Action<string, string> problem)
    {
        if (!ldap.Enabled)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(ldap.Server))
        {
            problem("Ldap:Server", "must be set when Ldap:Enabled is true; give the directory's host name, for example dc1.corp.example.com");
        }
        else if (ldap.Security == LdapSecurity.None && !IsLoopback(ldap.Server))
        {
            problem("Ldap:Security", $"None would send every password to {ldap.Server} in clear text; use StartTls or Ldaps (None is accepted only for a directory on loopback)");
        }

        if (ldap.Port is < 0 or > 65535)
        {
            problem("Ldap:Port", $"{ldap.Port} is not a TCP port; use 389 or 636, or 0 for the standard port of Ldap:Security");
        }

        if (!string.IsNullOrWhiteSpace(ldap.TrustedCertificatesDirectory) && !Directory.Exists(ldap.TrustedCertificatesDirectory))
        {
            problem("Ldap:TrustedCertificatesDirectory", $"directory '{ldap.TrustedCertificatesDirectory}' does not exist; give a directory of PEM CA certificates named by hash (openssl rehash DIR)");
        }

        if (ldap.UsesServiceAccount)
        {
            CheckServiceAccount(ldap, problem);
        }
        else if (string.IsNullOrWhiteSpace(ldap.UserDnTemplate) || !ldap.UserDnTemplate.Contains(LdapOptions.UserPlaceholder, StringComparison.Ordinal))
        {
            problem("Ldap:UserDnTemplate", "must contain {0} (the login name) when Ldap:BindDn is empty, for example uid={0},ou=people,dc=example,dc=org or {0}@corp.example.com; or set Ldap:BindDn for search-then-bind");
        }
        else if (!ldap.UserDnTemplate.Contains('=', StringComparison.Ordinal) && string.IsNullOrWhiteSpace(ldap.UserSearchBase))
        {
            problem("Ldap:UserSearchBase", $"must be set when Ldap:UserDnTemplate ('{ldap.UserDnTemplate}') is not a DN, so the user's entry and groups can be found; for example DC=corp,DC=example,DC=com");
        }

        if (!ldap.UserFilter.Contains(LdapOptions.UserPlaceholder, StringComparison.Ordinal) || !IsParenthesized(ldap.UserFilter))
        {
            problem("Ldap:UserFilter", $"'{ldap.UserFilter}' must be a parenthesized filter containing {{0}}, for example (&(objectClass=person)(uid={{0}})) or (&(objectClass=user)(sAMAccountName={{0}}))");
        }

        if (!string.IsNullOrWhiteSpace(ldap.GroupSearchBase)
            && (!IsParenthesized(ldap.GroupFilter) || !(ldap.GroupFilter.Contains("{0}", StringComparison.Ordinal) || ldap.GroupFilter.Contains("{1}", StringComparison.Ordinal))))
        {
            problem("Ldap:GroupFilter", $"'{ldap.GroupFilter}' must be a parenthesized filter containing {{0}} (the user's DN) or {{1}} (the login name), for example (member={{0}})");
        }

        if (string.IsNullOrWhiteSpace(ldap.GroupSearchBase) && string.IsNullOrWhiteSpace(ldap.GroupAttribute))
        {
            problem("Ldap:GroupAttribute", "must name the attribute that lists a user's groups (memberOf) when Ldap:GroupSearchBase is empty");
        }

        CheckMappings(ldap, problem);
        if (ldap.TimeoutSeconds is < 1 or > 60)
        {
            problem("Ldap:TimeoutSeconds", $"{ldap.TimeoutSeconds} is outside 1-60; 5 suits most directories");
        }
    }

    private static void CheckServiceAccount(LdapOptions ldap, Action<string, string> problem)
    {
        var hasPassword = !string.IsNullOrEmpty(ldap.BindPassword);
        var hasFile = !string.IsNullOrWhiteSpace(ldap.BindPasswordFile);
        if (hasPassword == hasFile)
        {
            problem("Ldap:BindPassword", "give exactly one of Ldap:BindPassword and Ldap:BindPasswordFile for the service account Ldap:BindDn");
        }
        else if (hasFile && !File.Exists(ldap.BindPasswordFile))
        {
            problem("Ldap:BindPasswordFile", $"file '{ldap.BindPasswordFile}' does not exist; put the service account's password in it (readable by the server only)");
        }

        if (string.IsNullOrWhiteSpace(ldap.UserSearchBase))
        {
            problem("Ldap:UserSearchBase", "must be set with Ldap:BindDn (search-then-bind); for example ou=people,dc=example,dc=org");
        }
    }

    private static void CheckMappings(LdapOptions ldap, Action<string, string> problem)
    {
        for (var i = 0; i < ldap.GroupMappings.Count; i++)
        {
            var mapping = ldap.GroupMappings[i];
            if (string.IsNullOrWhiteSpace(mapping.DirectoryGroup))
            {
                problem($"Ldap:GroupMappings:{i}:DirectoryGroup", "must name a directory group by DN (cn=partners,ou=groups,dc=example,dc=org) or by name (partners)");
            }

            if (!AccountNames.IsValid(mapping.Group, out var error))
            {
                problem($"Ldap:GroupMappings:{i}:Group", $"'{mapping.Group}' is not a Gatehouse group name: {error.TrimEnd('.')}");
            }
        }

        if (ldap.GroupMappings.Count == 0 && !ldap.AllowUnmappedUsers)
        {
            problem("Ldap:GroupMappings", "is empty, so no directory user could log in; map directory groups to Gatehouse groups, or set Ldap:AllowUnmappedUsers to true");
        }
    }

    private static bool IsLoopback(string server) =>
        string.Equals(server, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(server, out var address) && IPAddress.IsLoopback(address));

    private static bool IsParenthesized(string filter) => filter.StartsWith('(') && filter.EndsWith(')');
}
