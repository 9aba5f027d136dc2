using System.Text.Json;
using System.Text.Json.Serialization;

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

/// <summary>POST /api/v1/users: the password passes the same policy as with <c>gatehouse user add</c>; home defaults to the data directory's.</summary>
internal sealed record NewUser(string Name, string Password, string? Home, string[]? Groups);

/// <summary>PUT /api/v1/users/{name}/password.</summary>
internal sealed record NewPassword(string Password);

/// <summary>A ban of a client address by the brute-force defence.</summary>
internal sealed record BanView(string Address, DateTimeOffset BannedUntil, int Offences, string Reason, DateTimeOffset LastOffenceAt);

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
internal sealed partial class AdminJson : JsonSerializerContext;
