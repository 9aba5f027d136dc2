using Gatehouse.Storage.Access;

namespace Gatehouse.Accounts.Access;

public sealed record GroupRecord(string Name, string Description, DateTimeOffset CreatedAt);

/// <summary>A named real directory that can be mounted into users' trees.</summary>
public sealed record FolderRecord(string Name, string Path, DateTimeOffset CreatedAt);

public sealed record MountRecord(string Folder, Owner Owner, string VirtualPath, bool ReadOnly);

public sealed record PermissionRecord(Owner Owner, string VirtualPath, FilePermissions Permissions);
