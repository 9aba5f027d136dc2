namespace Gatehouse.Storage.Virtual;

/// <summary>A folder's storage shown at <see cref="At"/> in a user's tree.</summary>
/// <param name="Name">The folder's name, for messages and logs.</param>
public sealed record Mount(VirtualPath At, IFileSystem Target, bool ReadOnly, string Name);
