namespace Gatehouse.Accounts.Ldap;

public enum LdapSecurity
{
    /// <summary>Plain connection upgraded with the StartTLS extended operation before any password is sent.</summary>
    StartTls,

    /// <summary>TLS from the first byte (ldaps://, usually port 636).</summary>
    Ldaps,

    /// <summary>No encryption: passwords cross the network in clear text. Accepted only for a directory on loopback.</summary>
    None,
}

/// <summary>The Ldap configuration section: how directory users are found, verified and mapped to Gatehouse groups.</summary>
public sealed class LdapOptions
{
    public const string UserPlaceholder = "{0}";

    public bool Enabled { get; set; }

    /// <summary>Host name or IP address of the directory server (a domain controller for Active Directory).</summary>
    public string Server { get; set; } = string.Empty;

    /// <summary>0 means the standard port: 636 for Ldaps, 389 otherwise.</summary>
    public int Port { get; set; }

    public LdapSecurity Security { get; set; } = LdapSecurity.StartTls;

    /// <summary>Directory of PEM CA certificates (OpenSSL hashed names) trusted for the directory's certificate; empty uses the system store.</summary>
    public string? TrustedCertificatesDirectory { get; set; }

    /// <summary>Service account for search-then-bind. Empty: bind directly as the user through UserDnTemplate.</summary>
    public string? BindDn { get; set; }

    public string? BindPassword { get; set; }

    /// <summary>File holding the service account's password, so it can stay out of the configuration file.</summary>
    public string? BindPasswordFile { get; set; }

    /// <summary>Direct bind name, {0} is the login name: "uid={0},ou=people,dc=example,dc=org" or "{0}@corp.example.com" (Active Directory).</summary>
    public string? UserDnTemplate { get; set; }

    /// <summary>Where users are searched (required with BindDn; with direct bind it is used to read the user's entry).</summary>
    public string? UserSearchBase { get; set; }

    /// <summary>{0} is the login name, escaped. Active Directory: (&amp;(objectClass=user)(sAMAccountName={0})).</summary>
    public string UserFilter { get; set; } = "(&(objectClass=person)(uid={0}))";

    /// <summary>When set, groups are searched here with GroupFilter; otherwise GroupAttribute of the user's entry lists them.</summary>
    public string? GroupSearchBase { get; set; }

    /// <summary>{0} is the user's DN, {1} the login name, both escaped.</summary>
    public string GroupFilter { get; set; } = "(|(&(objectClass=groupOfNames)(member={0}))(&(objectClass=groupOfUniqueNames)(uniqueMember={0}))(&(objectClass=posixGroup)(memberUid={1})))";

    /// <summary>The user-entry attribute naming the user's groups (memberOf in Active Directory and with OpenLDAP's memberof overlay).</summary>
    public string GroupAttribute { get; set; } = "memberOf";

    public List<LdapGroupMapping> GroupMappings { get; set; } = [];

    /// <summary>Let directory users who are in no mapped group log in (they get only their home). Off: such users are refused.</summary>
    public bool AllowUnmappedUsers { get; set; }

    /// <summary>How long one login may wait for the directory before the client is told it is unavailable.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    public int EffectivePort => Port != 0 ? Port : Security == LdapSecurity.Ldaps ? 636 : 389;

    /// <summary>For log lines: where the directory is and how it is reached.</summary>
    public string Address => Security switch
    {
        LdapSecurity.Ldaps => $"ldaps://{Server}:{EffectivePort}",
        LdapSecurity.StartTls => $"ldap://{Server}:{EffectivePort} (StartTLS)",
        _ => $"ldap://{Server}:{EffectivePort} (no TLS)",
    };

    public bool UsesServiceAccount => !string.IsNullOrWhiteSpace(BindDn);
}

/// <param name="DirectoryGroup">A group's full DN, or just its first RDN value (cn=partners,... matches "partners").</param>
/// <param name="Group">The Gatehouse group its members join.</param>
public sealed class LdapGroupMapping
{
    public string DirectoryGroup { get; set; } = string.Empty;

    public string Group { get; set; } = string.Empty;
}
