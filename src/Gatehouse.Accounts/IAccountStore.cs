namespace Gatehouse.Accounts;

public interface IAccountStore
{
    Task<Account?> FindAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Accounts whose last recorded login (on any node) is at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<Account>> ListLoggedInSinceAsync(DateTimeOffset since, CancellationToken cancellationToken);

    Task<int> CountAsync(CancellationToken cancellationToken);

    /// <returns>False when an account with that name already exists.</returns>
    Task<bool> AddAsync(Account account, CancellationToken cancellationToken);

    /// <summary>Removes the account with its memberships, settings, mounts and permissions (not its files).</summary>
    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken);

    Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken);

    Task<bool> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken);

    Task<bool> SetHomeDirectoryAsync(string name, string homeDirectory, CancellationToken cancellationToken);

    Task RecordLoginAsync(string name, DateTimeOffset time, CancellationToken cancellationToken);
}
