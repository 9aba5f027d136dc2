namespace Gatehouse.Storage.Access;

/// <summary>What a user may do under a virtual path. A refused operation names the permission it lacked.</summary>
[Flags]
public enum FilePermissions
{
    None = 0,
    List = 1,
    Download = 2,

    /// <summary>Store a file under a name that does not exist yet.</summary>
    Upload = 4,

    /// <summary>Replace, resume or append to an existing file.</summary>
    Overwrite = 8,
    Delete = 16,
    Rename = 32,
    CreateDirectories = 64,
    RemoveDirectories = 128,
    SetTimes = 256,
    All = List | Download | Upload | Overwrite | Delete | Rename | CreateDirectories | RemoveDirectories | SetTimes,
    ReadOnly = List | Download,
}
