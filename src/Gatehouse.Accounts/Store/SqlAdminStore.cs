using System.Data.Common;
using Gatehouse.Accounts.Admin;

namespace Gatehouse.Accounts.Store;

public sealed class SqlAdminStore(AccountDatabase database) : IAdminStore
{
    private const string AdminColumns = "name, password_hash, role, created_at, totp_secret, locked_until";
    private const string KeyColumns = "name, key_hash, scope, created_at, expires_at, users, groups";

    public async Task<Administrator?> FindAsync(string name, CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {AdminColumns} FROM administrators WHERE name = @name", ReadAdministrator, cancellationToken, ("@name", name)).ConfigureAwait(false))
        .FirstOrDefault();

    public async Task<IReadOnlyList<Administrator>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {AdminColumns} FROM administrators ORDER BY name", ReadAdministrator, cancellationToken).ConfigureAwait(false);

    public async Task<bool> AddAsync(Administrator administrator, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO administrators (name, password_hash, role, created_at) VALUES (@name, @hash, @role, @created) ON CONFLICT (name) DO NOTHING",
            cancellationToken,
            ("@name", administrator.Name),
            ("@hash", administrator.PasswordHash),
            ("@role", administrator.Role.ToString()),
            ("@created", AccountDatabase.Format(administrator.CreatedAt))).ConfigureAwait(false) == 1;

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync("DELETE FROM admin_recovery_codes WHERE administrator = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        return await database.ExecuteAsync("DELETE FROM administrators WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) == 1;
    }

    public async Task<int> AddFailureAsync(string name, AdminLoginStep step, CancellationToken cancellationToken)
    {
        var column = FailureColumn(step);
        await database.ExecuteAsync($"UPDATE administrators SET {column} = {column} + 1 WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        return Convert.ToInt32(
            await database.ScalarAsync($"SELECT {column} FROM administrators WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) ?? 0,
            System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task LockAsync(string name, DateTimeOffset until, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE administrators SET locked_until = @until, failed_passwords = 0, failed_codes = 0 WHERE name = @name",
            cancellationToken, ("@name", name), ("@until", AccountDatabase.Format(until)));

    public Task ClearFailuresAsync(string name, AdminLoginStep step, CancellationToken cancellationToken) =>
        database.ExecuteAsync($"UPDATE administrators SET {FailureColumn(step)} = 0 WHERE name = @name", cancellationToken, ("@name", name));

    public async Task<bool> EnrolTotpAsync(string name, string secret, IReadOnlyList<string> recoveryCodeHashes, CancellationToken cancellationToken)
    {
        if (await database.ExecuteAsync(
                "UPDATE administrators SET totp_secret = @secret WHERE name = @name AND totp_secret IS NULL", cancellationToken, ("@name", name), ("@secret", secret))
            .ConfigureAwait(false) != 1)
        {
            return false;
        }

        await database.ExecuteAsync("DELETE FROM admin_recovery_codes WHERE administrator = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        foreach (var hash in recoveryCodeHashes)
        {
            await database.ExecuteAsync(
                "INSERT INTO admin_recovery_codes (administrator, code_hash) VALUES (@name, @hash)", cancellationToken, ("@name", name), ("@hash", hash)).ConfigureAwait(false);
        }

        return true;
    }

    public async Task<bool> ResetTotpAsync(string name, CancellationToken cancellationToken)
    {
        if (await database.ExecuteAsync(
                "UPDATE administrators SET totp_secret = NULL, totp_last_step = NULL, failed_codes = 0 WHERE name = @name", cancellationToken, ("@name", name))
            .ConfigureAwait(false) != 1)
        {
            return false;
        }

        await database.ExecuteAsync("DELETE FROM admin_recovery_codes WHERE administrator = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> UseTotpStepAsync(string name, long step, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE administrators SET totp_last_step = @step WHERE name = @name AND (totp_last_step IS NULL OR totp_last_step < @step)",
            cancellationToken, ("@name", name), ("@step", step)).ConfigureAwait(false) == 1;

    public async Task<bool> UseRecoveryCodeAsync(string name, string codeHash, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "DELETE FROM admin_recovery_codes WHERE administrator = @name AND code_hash = @hash", cancellationToken, ("@name", name), ("@hash", codeHash)).ConfigureAwait(false) == 1;

    public async Task<int> CountRecoveryCodesAsync(string name, CancellationToken cancellationToken) =>
        Convert.ToInt32(
            await database.ScalarAsync("SELECT COUNT(*) FROM admin_recovery_codes WHERE administrator = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) ?? 0,
            System.Globalization.CultureInfo.InvariantCulture);

    public async Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("UPDATE administrators SET password_hash = @hash WHERE name = @name", cancellationToken, ("@name", name), ("@hash", passwordHash)).ConfigureAwait(false) == 1;

    public async Task<ApiKey?> FindKeyByHashAsync(string keyHash, CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {KeyColumns} FROM api_keys WHERE key_hash = @hash", ReadKey, cancellationToken, ("@hash", keyHash)).ConfigureAwait(false))
        .FirstOrDefault();

    public async Task<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {KeyColumns} FROM api_keys ORDER BY name", ReadKey, cancellationToken).ConfigureAwait(false);

    public async Task<bool> AddKeyAsync(ApiKey key, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO api_keys (name, key_hash, scope, created_at, expires_at, users, groups) VALUES (@name, @hash, @scope, @created, @expires, @users, @groups) ON CONFLICT (name) DO NOTHING",
            cancellationToken,
            ("@name", key.Name),
            ("@hash", key.KeyHash),
            ("@scope", key.Scope.ToString()),
            ("@created", AccountDatabase.Format(key.CreatedAt)),
            ("@expires", key.ExpiresAt is { } expires ? AccountDatabase.Format(expires) : null),
            ("@users", string.Join(',', key.Users ?? [])),
            ("@groups", string.Join(',', key.Groups ?? []))).ConfigureAwait(false) == 1;

    public async Task<bool> RemoveKeyAsync(string name, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM api_keys WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false) == 1;

    private static string FailureColumn(AdminLoginStep step) => step == AdminLoginStep.Password ? "failed_passwords" : "failed_codes";

    private static Administrator ReadAdministrator(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), Enum.Parse<AdminRole>(reader.GetString(2)), AccountDatabase.Parse(reader.GetString(3)),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : AccountDatabase.Parse(reader.GetString(5)));

    private static ApiKey ReadKey(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), Enum.Parse<ApiKeyScope>(reader.GetString(2)), AccountDatabase.Parse(reader.GetString(3)),
            reader.IsDBNull(4) ? null : AccountDatabase.Parse(reader.GetString(4)),
            reader.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries),
            reader.GetString(6).Split(',', StringSplitOptions.RemoveEmptyEntries));
}
