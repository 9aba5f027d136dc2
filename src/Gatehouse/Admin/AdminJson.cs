using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Accounts.Admin;

namespace Gatehouse.Admin;

/// <summary>An FTP account as the API shows it (never its password hash).</summary>
internal sealed record UserView(string Name, bool Enabled, string Source, string Home, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt, IReadOnlyList<string> Groups);

/// <summary>A live session: <see cref="User"/> is null before login, <see cref="Transfer"/> null while none runs.</summary>
internal sealed record SessionView(string Id, string? User, string Client, DateTimeOffset StartedAt, bool Secure, TransferView? Transfer);

/// <summary>
/// A running transfer: direction upload, download or listing; bytes moved so far; size, the bytes it moves in all when
/// known (a binary download; null otherwise); the average rate since it started, in bytes per second.
/// </summary>
internal sealed record TransferView(string Path, string Direction, long Bytes, long? Size, double BytesPerSecond, DateTimeOffset StartedAt);

/// <summary>
/// POST /api/v1/users: the password passes the same policy as with <c>gatehouse user add</c>; home defaults to the data
/// directory's; settings by key as in PATCH .../settings. Properties are nullable so that a missing one is refused
/// naming it, by the same service as the CLI.
/// </summary>
internal sealed record NewUser(string? Name, string? Password, string? Home, string[]? Groups, Dictionary<string, string>? Settings);

/// <summary>PUT /api/v1/users/{name}/password.</summary>
internal sealed record NewPassword(string? Password);

/// <summary>PUT /api/v1/users/{name}/home.</summary>
internal sealed record NewHome(string? Home);

/// <summary>What applies to a user after merging (<c>gatehouse user show --effective</c>); <see cref="HomeUsage"/> null until measured.</summary>
internal sealed record EffectiveView(
    IReadOnlyList<EffectiveSettingView> Settings, IReadOnlyList<EffectiveMountView> Mounts, IReadOnlyList<EffectivePermission> Permissions, IReadOnlyList<string> Conflicts, UsageView? HomeUsage);

/// <summary>A merged setting: <see cref="Value"/> null when not set anywhere; <see cref="Source"/> says whose it is.</summary>
internal sealed record EffectiveSettingView(string Key, string? Value, string Source);

internal sealed record EffectiveMountView(string At, string Folder, string Path, bool ReadOnly, string Source);

/// <summary>Bytes and files an area (a home "user:NAME" or a folder "folder:NAME") holds, as last counted.</summary>
internal sealed record UsageView(string Area, long Bytes, long Files);

/// <summary>A group with its members.</summary>
internal sealed record GroupView(string Name, string Description, DateTimeOffset CreatedAt, IReadOnlyList<string> Members);

/// <summary>POST /api/v1/groups.</summary>
internal sealed record NewGroup(string? Name, string? Description, Dictionary<string, string>? Settings);

/// <summary>A shared folder with its own settings and where it is mounted.</summary>
internal sealed record FolderView(string Name, string Path, DateTimeOffset CreatedAt, Dictionary<string, string> Settings, IReadOnlyList<FolderMountView> Mounts);

/// <summary>Where a folder appears: in the tree of a user or of a group's members (<see cref="OwnerKind"/> "user" or "group").</summary>
internal sealed record FolderMountView(string OwnerKind, string Owner, string At, bool ReadOnly);

/// <summary>POST /api/v1/folders: <see cref="Path"/> absolute, created if missing.</summary>
internal sealed record NewFolder(string? Name, string? Path, Dictionary<string, string>? Settings);

/// <summary>A mount in a user's or group's tree; also the body of PUT .../mounts.</summary>
internal sealed record MountView(string? Folder, string? At, bool ReadOnly);

/// <summary>A per-path rule ("list,download", "all", "none"); also the body of PUT .../permissions.</summary>
internal sealed record PermissionView(string? Path, string? Permissions);

/// <summary>A ban of a client address by the brute-force defence.</summary>
internal sealed record BanView(string Address, DateTimeOffset BannedUntil, int Offences, string Reason, DateTimeOffset LastOffenceAt);

/// <summary>An area's usage (null: never counted) and quota (null: unlimited).</summary>
internal sealed record QuotaView(string Area, string Path, long? Bytes, long? Files, long? QuotaBytes, long? QuotaFiles);

/// <summary>A file a retention run deleted (or would delete, in a dry run).</summary>
internal sealed record DeletionView(string Area, string Path, DateTimeOffset Modified, long Bytes, int RetentionDays);

/// <summary>A finished transfer from the transfer log: direction upload or download, outcome complete or incomplete.</summary>
internal sealed record TransferRecordView(DateTimeOffset Finished, long Seconds, string User, string Client, string Path, string Direction, long Bytes, string Outcome);

/// <summary>An event rule's conditions; a null one matches everything.</summary>
internal sealed record RuleConditionsView(string? User, string? Group, string? Path, string? Name, long? MinSize, long? MaxSize, string? Network, int? OlderThanDays);

/// <summary>An action of a rule as shown: <see cref="Signed"/> says whether a webhook has a secret, which is never shown.</summary>
internal sealed record RuleActionView(string Kind, string Target, IReadOnlyList<string> Arguments, string? Subject, string? Body, int TimeoutSeconds, bool Signed);

/// <summary>An event rule as shown.</summary>
internal sealed record RuleView(string Name, string On, string? Cron, bool Enabled, RuleConditionsView Conditions, IReadOnlyList<RuleActionView> Actions);

/// <summary>
/// An action in a rule sent to the API: kind webhook, command, move-to, copy-to, delete or mail; target the URL,
/// executable (one Events:Commands names), folder or recipients; secret signs a webhook (write-only).
/// </summary>
internal sealed record RuleActionBody(string? Kind, string? Target, string[]? Arguments, string? Secret, string? Subject, string? Body, int? TimeoutSeconds);

/// <summary>POST /api/v1/rules and PUT /api/v1/rules/{name} (whose name comes from the route).</summary>
internal sealed record RuleBody(string? Name, string? On, string? Cron, bool? Enabled, RuleConditionsView? Conditions, RuleActionBody[]? Actions);

/// <summary>The event a delivery carries.</summary>
internal sealed record EventView(string Id, string Kind, DateTimeOffset Time, string? User, string? Client, string? Path, long? Size, string? Reason);

/// <summary>A rule's delivery of an event: state pending, delivered or failed.</summary>
internal sealed record DeliveryView(
    long Id, string Rule, string State, int Attempts, int StepsDone, DateTimeOffset QueuedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? FinishedAt, string? Outcome, EventView Event);

/// <summary>POST /api/v1/rules/{name}/test: the synthetic event's user and path (both optional).</summary>
internal sealed record RuleTestBody(string? User, string? Path);

/// <summary>A rule test: the synthetic event, and each action's outcome (ok, failed, skipped) in order.</summary>
internal sealed record RuleTestView(EventView Event, bool Succeeded, IReadOnlyList<RuleTestStepView> Steps);

internal sealed record RuleTestStepView(int Step, string Action, string Outcome, string Text);

/// <summary>
/// The API's JSON, generated at build time: no reflection (switched off in every build, see Gatehouse.csproj), so the
/// Native AOT build serialises the same. Route and query parameter types are here too: the OpenAPI document describes them.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool?))]
[JsonSerializable(typeof(UserView))]
[JsonSerializable(typeof(UserView[]))]
[JsonSerializable(typeof(SessionView))]
[JsonSerializable(typeof(SessionView[]))]
[JsonSerializable(typeof(NewUser))]
[JsonSerializable(typeof(NewPassword))]
[JsonSerializable(typeof(BanView[]))]
[JsonSerializable(typeof(NewHome))]
[JsonSerializable(typeof(EffectiveView))]
[JsonSerializable(typeof(GroupView))]
[JsonSerializable(typeof(GroupView[]))]
[JsonSerializable(typeof(NewGroup))]
[JsonSerializable(typeof(FolderView))]
[JsonSerializable(typeof(FolderView[]))]
[JsonSerializable(typeof(NewFolder))]
[JsonSerializable(typeof(MountView))]
[JsonSerializable(typeof(MountView[]))]
[JsonSerializable(typeof(PermissionView))]
[JsonSerializable(typeof(PermissionView[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(QuotaView[]))]
[JsonSerializable(typeof(DeletionView[]))]
[JsonSerializable(typeof(TransferRecordView[]))]
[JsonSerializable(typeof(DateTimeOffset?))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(RuleView))]
[JsonSerializable(typeof(RuleView[]))]
[JsonSerializable(typeof(RuleBody))]
[JsonSerializable(typeof(DeliveryView))]
[JsonSerializable(typeof(DeliveryView[]))]
[JsonSerializable(typeof(RuleTestBody))]
[JsonSerializable(typeof(RuleTestView))]
internal sealed partial class AdminJson : JsonSerializerContext;
