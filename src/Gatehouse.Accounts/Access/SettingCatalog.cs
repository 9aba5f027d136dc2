namespace Gatehouse.Accounts.Access;

[Flags]
public enum SettingScope
{
    User = 1,
    Group = 2,
    Folder = 4,
}

/// <summary>How a user's own value and the values of several groups combine.</summary>
public enum MergeRule
{
    /// <summary>The user's value, else the most generous group value (membership grants).</summary>
    MostGenerous,

    /// <summary>The user's value, else the strictest group value (security rules fail closed).</summary>
    Strictest,

    /// <summary>The user's list, else all groups' lists together.</summary>
    UnionOfGroups,

    /// <summary>The user's and all groups' lists together; nobody can lift another's entry.</summary>
    Accumulate,
}

public sealed record SettingDefinition(string Key, string Description, SettingScope Scopes, MergeRule Merge, SettingNormalizer Normalize);

public delegate bool SettingNormalizer(string input, out string normalized, out string error);

/// <summary>Every setting a user, group or folder can carry, with how it is written and how it merges.</summary>
public static class SettingCatalog
{
    public const string Tls = "tls";
    public const string ClientCertificate = "client-certificate";
    public const string DataTlsResumption = "data-tls-resumption";
    public const string Allow = "allow";
    public const string Deny = "deny";
    public const string MaxSessions = "max-sessions";
    public const string UploadRate = "upload-rate";
    public const string DownloadRate = "download-rate";
    public const string QuotaBytes = "quota-bytes";
    public const string QuotaFiles = "quota-files";
    public const string RetentionDays = "retention-days";
    public const string Expires = "expires";
    public const string ResumeUploads = "resume-uploads";

    /// <summary>Written as a value, removes the owner's own setting so it is inherited again.</summary>
    public const string Inherit = "inherit";

    private const SettingScope People = SettingScope.User | SettingScope.Group;

    public static IReadOnlyList<SettingDefinition> All { get; } =
    [
        new(Tls, "TLS policy, stricter than the server's: required or optional", People, MergeRule.Strictest, NormalizeTls),
        new(DataTlsResumption, "whether data connections must resume the control connection's TLS session: optional, sticky (once one has) or required", People, MergeRule.Strictest, NormalizeDataTlsResumption),
        new(ClientCertificate, "SHA-256 fingerprints of accepted client certificates (a matching certificate becomes required)", People, MergeRule.UnionOfGroups, SettingValues.TryNormalizeFingerprints),
        new(Allow, "networks logins may come from (CIDR list)", People, MergeRule.UnionOfGroups, SettingValues.TryNormalizeNetworks),
        new(Deny, "networks logins may never come from (CIDR list)", People, MergeRule.Accumulate, SettingValues.TryNormalizeNetworks),
        new(MaxSessions, "concurrent sessions of one user, or unlimited", People, MergeRule.MostGenerous, Count),
        new(UploadRate, "upload bandwidth per user across all sessions, per second (e.g. 10M), or unlimited", People, MergeRule.MostGenerous, Size),
        new(DownloadRate, "download bandwidth per user across all sessions, per second (e.g. 10M), or unlimited", People, MergeRule.MostGenerous, Size),
        new(QuotaBytes, "storage the home (or folder) may hold (e.g. 10G), or unlimited", SettingScope.User | SettingScope.Group | SettingScope.Folder, MergeRule.MostGenerous, Size),
        new(QuotaFiles, "number of files the home (or folder) may hold, or unlimited", SettingScope.User | SettingScope.Group | SettingScope.Folder, MergeRule.MostGenerous, Count),
        new(RetentionDays, "files older than this many days are deleted from the home (or folder), or unlimited", SettingScope.User | SettingScope.Group | SettingScope.Folder, MergeRule.MostGenerous, Count),
        new(ResumeUploads, "keep an interrupted new upload hidden for the client to resume (SIZE, REST + STOR, APPE): on (default) or off", People, MergeRule.MostGenerous, SettingValues.TryNormalizeSwitch),
        new(Expires, "date after which the account can no longer log in, or never", SettingScope.User, MergeRule.MostGenerous, SettingValues.TryNormalizeDate),
    ];

    public static SettingDefinition? Find(string key) => All.FirstOrDefault(definition => definition.Key == key);

    /// <summary>Checks and normalizes a value for an owner kind; null <paramref name="normalized"/> means "remove".</summary>
    public static bool TryPrepare(OwnerKind kind, string key, string value, out string? normalized, out string error)
    {
        normalized = null;
        var definition = Find(key);
        if (definition is null)
        {
            error = $"Unknown setting '{key}'. Known: {string.Join(", ", All.Select(entry => entry.Key))}.";
            return false;
        }

        if (!definition.Scopes.HasFlag(ScopeOf(kind)))
        {
            error = $"'{key}' cannot be set on a {kind.ToString().ToLowerInvariant()}.";
            return false;
        }

        if (value.Trim().Equals(Inherit, StringComparison.OrdinalIgnoreCase) || key == Expires && value.Trim().Equals("never", StringComparison.OrdinalIgnoreCase))
        {
            error = string.Empty;
            return true;
        }

        if (!definition.Normalize(value, out var result, out error))
        {
            error = $"{key}: {error}.";
            return false;
        }

        normalized = result;
        return true;
    }

    public static SettingScope ScopeOf(OwnerKind kind) => kind switch
    {
        OwnerKind.User => SettingScope.User,
        OwnerKind.Group => SettingScope.Group,
        _ => SettingScope.Folder,
    };

    private static bool Size(string input, out string normalized, out string error) =>
        SettingValues.TryNormalizeLimit(input, size: true, out normalized, out error);

    private static bool Count(string input, out string normalized, out string error) =>
        SettingValues.TryNormalizeLimit(input, size: false, out normalized, out error);

    private static bool NormalizeTls(string input, out string normalized, out string error)
    {
        normalized = input.Trim().ToLowerInvariant();
        error = normalized is "required" or "optional" ? string.Empty : $"'{input}' is not a TLS policy; write required or optional";
        return error.Length == 0;
    }

    private static bool NormalizeDataTlsResumption(string input, out string normalized, out string error)
    {
        normalized = input.Trim().ToLowerInvariant();
        error = normalized is "optional" or "sticky" or "required" ? string.Empty : $"'{input}' is not a resumption rule; write optional, sticky or required";
        return error.Length == 0;
    }
}
