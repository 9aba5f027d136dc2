using System.Globalization;
using Gatehouse.Accounts.Ldap;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Protocol.Configuration;

/// <summary>
/// Checks raw configuration before binding: every key must be known (a typo must not silently fall back to a
/// default) and every value must have the right type. Messages name the key and say what to write instead.
/// </summary>
public static class ConfigurationKeys
{
    private enum Kind
    {
        Text,
        Integer,
        Boolean,
        Policy,
        LdapSecurity,
        StoreProvider,
        DataResumption,
    }

    private static readonly (string Pattern, Kind Kind)[] Known =
    [
        ("DataDirectory", Kind.Text),
        ("Ftp:ListenAddresses:*", Kind.Text),
        ("Ftp:ExplicitPort", Kind.Integer),
        ("Ftp:ImplicitPort", Kind.Integer),
        ("Ftp:PassivePorts", Kind.Text),
        ("Ftp:PassivePortsAdvertised", Kind.Text),
        ("Ftp:PassiveAddress", Kind.Text),
        ("Ftp:PassiveAddressRefreshSeconds", Kind.Integer),
        ("Ftp:PassiveAddressOverrides:*:Network", Kind.Text),
        ("Ftp:PassiveAddressOverrides:*:Address", Kind.Text),
        ("Ftp:AllowActiveMode", Kind.Boolean),
        ("Ftp:RequireSameClientIpForData", Kind.Boolean),
        ("Ftp:ControlKeepAliveSeconds", Kind.Integer),
        ("Ftp:DataKeepAliveSeconds", Kind.Integer),
        ("Ftp:DataRaceWindowMilliseconds", Kind.Integer),
        ("Ftp:MaxSegmentSize", Kind.Integer),
        ("Ftp:TrustedProxies:*", Kind.Text),
        ("Tls:CertificateFile", Kind.Text),
        ("Tls:KeyFile", Kind.Text),
        ("Tls:DataConnectionResumption", Kind.DataResumption),
        ("Tls:Policy", Kind.Policy),
        ("Tls:RequestClientCertificate", Kind.Boolean),
        ("Tls:RefuseTruncatedUploads", Kind.Boolean),
        ("Limits:MaxSessions", Kind.Integer),
        ("Limits:MaxSessionsPerIp", Kind.Integer),
        ("Limits:MaxUnauthenticatedSessions", Kind.Integer),
        ("Limits:MaxUnauthenticatedSessionsPerIp", Kind.Integer),
        ("Limits:LoginTimeoutUnderPressureSeconds", Kind.Integer),
        ("Limits:IdleTimeoutSeconds", Kind.Integer),
        ("Limits:LoginTimeoutSeconds", Kind.Integer),
        ("Limits:DataConnectionTimeoutSeconds", Kind.Integer),
        ("Limits:ShutdownGraceSeconds", Kind.Integer),
        ("Limits:MaxLoginAttempts", Kind.Integer),
        ("Limits:FailedLoginDelayMilliseconds", Kind.Integer),
        ("Access:AllowedNetworks:*", Kind.Text),
        ("Access:DeniedNetworks:*", Kind.Text),
        ("Bans:Enabled", Kind.Boolean),
        ("Bans:Threshold", Kind.Integer),
        ("Bans:WindowSeconds", Kind.Integer),
        ("Bans:BanSeconds", Kind.Integer),
        ("Bans:MaxBanSeconds", Kind.Integer),
        ("Bans:OffenceMemoryHours", Kind.Integer),
        ("Bans:ExemptNetworks:*", Kind.Text),
        ("Bans:AccountThrottling", Kind.Boolean),
        ("Bans:AccountFreeFailures", Kind.Integer),
        ("Bans:AccountWindowSeconds", Kind.Integer),
        ("Bans:AccountDelayMilliseconds", Kind.Integer),
        ("Bans:AccountMaxDelaySeconds", Kind.Integer),
        ("Accounts:PasswordMinLength", Kind.Integer),
        ("Accounts:CreateDemoUser", Kind.Boolean),
        ("AccountStore:Provider", Kind.StoreProvider),
        ("AccountStore:ConnectionString", Kind.Text),
        ("AccountStore:OfflineLoginHours", Kind.Integer),
        ("AccountStore:OfflineLoginSyncSeconds", Kind.Integer),
        ("Cluster:NodeName", Kind.Text),
        ("Cluster:HealthPort", Kind.Integer),
        ("Cluster:DrainTimeoutSeconds", Kind.Integer),
        ("Cluster:RelayPort", Kind.Integer),
        ("Cluster:RelayAddress", Kind.Text),
        ("Retention:IntervalMinutes", Kind.Integer),
        ("Retention:DryRun", Kind.Boolean),
        ("Storage:SyncUploads", Kind.Boolean),
        ("Storage:PartialUploadMaxAgeHours", Kind.Integer),
        ("Events:WebhookAllowedHosts:*", Kind.Text),
        ("Events:Commands:*", Kind.Text),
        ("Events:MaxAttempts", Kind.Integer),
        ("Events:RetryBaseSeconds", Kind.Integer),
        ("Events:QuarantineDirectory", Kind.Text),
        ("Events:KeepDeliveredDays", Kind.Integer),
        ("Events:SmtpHost", Kind.Text),
        ("Events:SmtpPort", Kind.Integer),
        ("Events:SmtpStartTls", Kind.Boolean),
        ("Events:SmtpFrom", Kind.Text),
        ("Events:SmtpUser", Kind.Text),
        ("Events:SmtpPasswordFile", Kind.Text),
        ("Ldap:Enabled", Kind.Boolean),
        ("Ldap:Server", Kind.Text),
        ("Ldap:Port", Kind.Integer),
        ("Ldap:Security", Kind.LdapSecurity),
        ("Ldap:TrustedCertificatesDirectory", Kind.Text),
        ("Ldap:BindDn", Kind.Text),
        ("Ldap:BindPassword", Kind.Text),
        ("Ldap:BindPasswordFile", Kind.Text),
        ("Ldap:UserDnTemplate", Kind.Text),
        ("Ldap:UserSearchBase", Kind.Text),
        ("Ldap:UserFilter", Kind.Text),
        ("Ldap:GroupSearchBase", Kind.Text),
        ("Ldap:GroupFilter", Kind.Text),
        ("Ldap:GroupAttribute", Kind.Text),
        ("Ldap:GroupMappings:*:DirectoryGroup", Kind.Text),
        ("Ldap:GroupMappings:*:Group", Kind.Text),
        ("Ldap:AllowUnmappedUsers", Kind.Boolean),
        ("Ldap:TimeoutSeconds", Kind.Integer),
        ("Admin:Port", Kind.Integer),
        ("Admin:ListenAddresses:*", Kind.Text),
        ("Admin:CertificateFile", Kind.Text),
        ("Admin:KeyFile", Kind.Text),
        ("Admin:AllowedNetworks:*", Kind.Text),
    ];

    /// <param name="usable">The same configuration without the rejected keys, so the rest can still be bound and checked.</param>
    public static IReadOnlyList<string> Check(IConfiguration configuration, out IConfiguration usable)
    {
        var problems = new List<string>();
        var accepted = new List<KeyValuePair<string, string?>>();
        foreach (var (key, value) in configuration.AsEnumerable().OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (value is null)
            {
                continue;
            }

            if (key.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase))
            {
                // The standard Microsoft.Extensions.Logging section (levels per category).
                accepted.Add(new(key, value));
                continue;
            }

            var pattern = Pattern(key);
            if (value.Length == 0 && IsList(pattern))
            {
                // An empty list ("Access": { "AllowedNetworks": [] }) arrives as the list's key with an empty value.
                continue;
            }

            var known = Array.Find(Known, entry => string.Equals(entry.Pattern, pattern, StringComparison.OrdinalIgnoreCase));
            if (known.Pattern is null)
            {
                problems.Add($"{key}: unknown setting{Suggestion(pattern)}. Remove it or correct the name (keys are listed in docs/configuration.md).");
                continue;
            }

            var problem = known.Kind switch
            {
                Kind.Integer when !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) =>
                    $"'{value}' is not a whole number; write digits only, for example 60",
                Kind.Boolean when !bool.TryParse(value, out _) =>
                    $"'{value}' is not true or false",
                Kind.Policy when !Enum.TryParse<TlsPolicy>(value, ignoreCase: true, out _) || int.TryParse(value, out _) =>
                    $"'{value}' is not a TLS policy; use Required, Optional or Disabled",
                Kind.LdapSecurity when !Enum.TryParse<LdapSecurity>(value, ignoreCase: true, out _) || int.TryParse(value, out _) =>
                    $"'{value}' is not an LDAP security mode; use StartTls, Ldaps or None",
                Kind.StoreProvider when !Enum.TryParse<AccountStoreProvider>(value, ignoreCase: true, out _) || int.TryParse(value, out _) =>
                    $"'{value}' is not an account store; use Sqlite or PostgreSql",
                Kind.DataResumption when !Enum.TryParse<DataTlsResumption>(value, ignoreCase: true, out _) || int.TryParse(value, out _) =>
                    $"'{value}' is not a data connection resumption rule; use Optional, Sticky or Required",
                _ => null,
            };
            if (problem is null)
            {
                accepted.Add(new(key, value));
            }
            else
            {
                problems.Add($"{key}: {problem}.");
            }
        }

        usable = new ConfigurationBuilder().AddInMemoryCollection(accepted).Build();
        return problems;
    }

    /// <summary>Every key the configuration may hold; <c>*</c> stands for a list index.</summary>
    public static IEnumerable<string> Patterns => Known.Select(entry => entry.Pattern);

    /// <summary>The keys whose values are lists, as written in a configuration file (Access:AllowedNetworks).</summary>
    public static IEnumerable<string> Lists =>
        Known.Select(entry => entry.Pattern[..Math.Max(0, entry.Pattern.IndexOf(":*", StringComparison.Ordinal))]).Where(list => list.Length > 0).Distinct();

    private static bool IsList(string pattern) => Lists.Contains(pattern, StringComparer.OrdinalIgnoreCase);

    private static string Pattern(string key) =>
        string.Join(':', key.Split(':').Select(part => part.Length > 0 && part.All(char.IsAsciiDigit) ? "*" : part));

    private static string Suggestion(string pattern)
    {
        var best = Known
            .Select(entry => (entry.Pattern, Distance: Levenshtein(entry.Pattern.ToUpperInvariant(), pattern.ToUpperInvariant())))
            .MinBy(candidate => candidate.Distance);
        return best.Distance <= 3 ? $" (did you mean {best.Pattern.Replace(":*", ":0", StringComparison.Ordinal)}?)" : string.Empty;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
