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

    /// <summary>Counts one more failure of <paramref name="step"/>.</summary>
    /// <returns>The consecutive failures of that step so far.</returns>
    Task<int> AddFailureAsync(string name, AdminLoginStep step, CancellationToken cancellationToken);

    /// <summary>Refuses every login until <paramref name="until"/> and starts both counters again.</summary>
    Task LockAsync(string name, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>The step succeeded: its counter starts again.</summary>
    Task ClearFailuresAsync(string name, AdminLoginStep step, CancellationToken cancellationToken);

    /// <summary>Stores the second factor and the hashes of the recovery codes, unless one is stored already.</summary>
    /// <returns>False when the administrator is gone or already enrolled (nothing changed).</returns>
    Task<bool> EnrolTotpAsync(string name, string secret, IReadOnlyList<string> recoveryCodeHashes, CancellationToken cancellationToken);

    /// <summary>Forgets the second factor and the recovery codes, so that the next login enrols a new one.</summary>
    /// <returns>False when there is no such administrator.</returns>
    Task<bool> ResetTotpAsync(string name, CancellationToken cancellationToken);

    /// <summary>Records that the code of TOTP time step <paramref name="step"/> was used.</summary>
    /// <returns>False when that step or a later one was used already (a replayed code).</returns>
    Task<bool> UseTotpStepAsync(string name, long step, CancellationToken cancellationToken);

    /// <summary>Deletes the recovery code with this hash.</summary>
    /// <returns>False when there was none (wrong, or used before).</returns>
    Task<bool> UseRecoveryCodeAsync(string name, string codeHash, CancellationToken cancellationToken);

    Task<int> CountRecoveryCodesAsync(string name, CancellationToken cancellationToken);

    Task<ApiKey?> FindKeyByHashAsync(string keyHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken);

    /// <returns>False when the name is taken.</returns>
    Task<bool> AddKeyAsync(ApiKey key, CancellationToken cancellationToken);

    Task<bool> RemoveKeyAsync(string name, CancellationToken cancellationToken);
}
