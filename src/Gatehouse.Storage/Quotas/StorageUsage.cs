namespace Gatehouse.Storage.Quotas;

/// <summary>Bytes and files in one storage area (a home or a folder).</summary>
public readonly record struct StorageUsage(long Bytes, long Files)
{
    public static StorageUsage operator +(StorageUsage left, StorageUsage right) => new(left.Bytes + right.Bytes, left.Files + right.Files);
}

/// <summary>Null means no limit.</summary>
public sealed record QuotaLimits(long? Bytes, long? Files)
{
    public static QuotaLimits None { get; } = new(null, null);
}

/// <summary>Where usage is kept between runs (and shared with <c>gatehouse quota scan</c>).</summary>
public interface IUsageStore
{
    Task<StorageUsage?> LoadAsync(string area, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a change atomically in the store, so concurrent writers never lose one another's updates. An area
    /// never measured stays unmeasured (it is scanned when first needed).
    /// </summary>
    Task AddAsync(string area, StorageUsage change, CancellationToken cancellationToken);

    Task SetAsync(string area, StorageUsage usage, CancellationToken cancellationToken);
}
