using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Protocol.Access;

namespace Gatehouse.Hosting;

/// <summary>A home or folder on disk, under the name its usage is kept by.</summary>
public sealed record StorageArea(string Area, string Path);

public static class StorageAreas
{
    /// <summary>Every user's home and every folder.</summary>
    public static async Task<IReadOnlyList<StorageArea>> ListAsync(IAccountStore accounts, IAccessStore access, CancellationToken cancellationToken)
    {
        var homes = (await accounts.ListAsync(cancellationToken).ConfigureAwait(false))
            .Select(account => new StorageArea(QuotaLedgers.HomeArea(account.Name), account.HomeDirectory));
        var folders = (await access.ListFoldersAsync(cancellationToken).ConfigureAwait(false))
            .Select(folder => new StorageArea(QuotaLedgers.FolderArea(folder.Name), folder.Path));
        return [.. homes, .. folders];
    }
}
