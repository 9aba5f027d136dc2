namespace Gatehouse.Accounts.Admin;

/// <summary>Administrators and API keys, in the account store beside the FTP accounts but in their own tables.</summary>
public interface IAdminStore
{
    Task<Administrator?> FindAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<Administrator>> ListAsync(CancellationToken cancellationToken);

    /// <returns>False when the name is taken.</returns>
    Task<bool> AddAsync(Administrator administrator, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken);

    Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken);

    Task<ApiKey?> FindKeyByHashAsync(string keyHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken);

    /// <returns>False when the name is taken.</returns>
    Task<bool> AddKeyAsync(ApiKey key, CancellationToken cancellationToken);

    Task<bool> RemoveKeyAsync(string name, CancellationToken cancellationToken);
}
