using System.Globalization;
using Gatehouse.Accounts.Networks;
using Gatehouse.Storage;
using Gatehouse.Storage.Access;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Accounts.Access;

/// <summary>A folder as one user sees it.</summary>
/// <param name="Quota">The folder's own limits, shared by everyone who mounts it.</param>
public sealed record EffectiveMount(VirtualPath At, FolderRecord Folder, bool ReadOnly, string Source, QuotaLimits Quota);

/// <summary>Everything that applies to one user after merging their own settings with their groups'.</summary>
public sealed class AccessPolicy
{
    public AccessPolicy(
        IReadOnlyList<string> groups,
        IReadOnlyList<EffectiveSetting> settings,
        IReadOnlyList<EffectiveMount> mounts,
        PermissionTable permissions,
        IReadOnlyList<string> conflicts)
    {
        Groups = groups;
        Settings = settings;
        Mounts = mounts;
        Permissions = permissions;
        Conflicts = conflicts;
        string? Value(string key) => settings.First(setting => setting.Key == key).Value;

        TlsRequired = Value(SettingCatalog.Tls) == "required";
        DataTlsResumption = Value(SettingCatalog.DataTlsResumption);
        ClientCertificates = Value(SettingCatalog.ClientCertificate)?.Split(',') ?? [];
        NetworkList.TryParse(Value(SettingCatalog.Allow), out var allowed, out _);
        NetworkList.TryParse(Value(SettingCatalog.Deny), out var denied, out _);
        Networks = new AddressPolicy(allowed, denied);
        MaxSessions = SettingValues.ParseLimit(Value(SettingCatalog.MaxSessions));
        UploadBytesPerSecond = SettingValues.ParseLimit(Value(SettingCatalog.UploadRate));
        DownloadBytesPerSecond = SettingValues.ParseLimit(Value(SettingCatalog.DownloadRate));
        Quota = new QuotaLimits(SettingValues.ParseLimit(Value(SettingCatalog.QuotaBytes)), SettingValues.ParseLimit(Value(SettingCatalog.QuotaFiles)));
        RetentionDays = SettingValues.ParseLimit(Value(SettingCatalog.RetentionDays));
        ResumeUploads = Value(SettingCatalog.ResumeUploads) != SettingValues.Off;
        ExpiresAt = Value(SettingCatalog.Expires) is { } expires
            ? DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null;
    }

    public IReadOnlyList<string> Groups { get; }

    public IReadOnlyList<EffectiveSetting> Settings { get; }

    public IReadOnlyList<EffectiveMount> Mounts { get; }

    public PermissionTable Permissions { get; }

    /// <summary>Mount clashes that were resolved by a rule, for <c>user show --effective</c>.</summary>
    public IReadOnlyList<string> Conflicts { get; }

    public bool TlsRequired { get; }

    /// <summary>The user's or groups' rule (optional, sticky or required); null: the server's <c>Tls:DataConnectionResumption</c>.</summary>
    public string? DataTlsResumption { get; }

    public IReadOnlyList<string> ClientCertificates { get; }

    public AddressPolicy Networks { get; }

    public long? MaxSessions { get; }

    public long? UploadBytesPerSecond { get; }

    public long? DownloadBytesPerSecond { get; }

    public QuotaLimits Quota { get; }

    public long? RetentionDays { get; }

    /// <summary>Setting resume-uploads: an interrupted new upload is kept hidden for its client to resume (default on).</summary>
    public bool ResumeUploads { get; }

    public DateTimeOffset? ExpiresAt { get; }
}
