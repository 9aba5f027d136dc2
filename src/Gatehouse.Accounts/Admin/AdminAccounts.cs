using Gatehouse.Accounts.Audit;

namespace Gatehouse.Accounts.Admin;

/// <summary>
/// Administrators and API keys, as the CLI (and later the web admin) changes them: names and passwords checked the
/// same way as for FTP users, every change recorded in the audit trail without its secret.
/// </summary>
public sealed class AdminAccounts(IAdminStore store, AuditTrail audit, PasswordPolicy policy, PasswordHashing hashing, TimeProvider time)
{
    /// <returns>Null when created, else what is wrong.</returns>
    public async Task<string?> AddAsync(AuditActor actor, string name, string password, AdminRole role, CancellationToken cancellationToken)
    {
        if (!AccountNames.IsValid(name, out var error))
        {
            return error.Replace("user name", "name", StringComparison.Ordinal);
        }

        if (policy.Check(name, password) is { } weak)
        {
            return weak;
        }

        if (!await store.AddAsync(new Administrator(name, hashing.Hash(password), role, time.GetUtcNow()), cancellationToken).ConfigureAwait(false))
        {
            return $"Administrator '{name}' already exists; use 'admin passwd' to change the password.";
        }

        await audit.RecordAsync(actor, "admin.add", name, null, $"role={role.ToString().ToLowerInvariant()}", cancellationToken).ConfigureAwait(false);
        return null;
    }

    public async Task<string?> RemoveAsync(AuditActor actor, string name, CancellationToken cancellationToken)
    {
        var existing = await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is null || !await store.RemoveAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return $"No administrator '{name}'.";
        }

        await audit.RecordAsync(actor, "admin.remove", name, $"role={existing.Role.ToString().ToLowerInvariant()}", null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    public async Task<string?> SetPasswordAsync(AuditActor actor, string name, string password, CancellationToken cancellationToken)
    {
        if (policy.Check(name, password) is { } weak)
        {
            return weak;
        }

        if (!await store.SetPasswordHashAsync(name, hashing.Hash(password), cancellationToken).ConfigureAwait(false))
        {
            return $"No administrator '{name}'.";
        }

        await audit.RecordAsync(actor, "admin.passwd", name, null, null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <returns>The secret (shown once, never stored), or the error.</returns>
    public async Task<(string? Secret, string? Error)> AddKeyAsync(AuditActor actor, string name, ApiKeyScope scope, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        if (!AccountNames.IsValid(name, out var error))
        {
            return (null, error.Replace("user name", "key name", StringComparison.Ordinal));
        }

        if (expires is { } end && end <= time.GetUtcNow())
        {
            return (null, $"The expiry {end:u} is in the past.");
        }

        var secret = ApiKey.NewSecret();
        if (!await store.AddKeyAsync(new ApiKey(name, ApiKey.HashOf(secret), scope, time.GetUtcNow(), expires), cancellationToken).ConfigureAwait(false))
        {
            return (null, $"An API key named '{name}' already exists; remove it first or choose another name.");
        }

        await audit.RecordAsync(actor, "apikey.add", name, null, Describe(scope, expires), cancellationToken).ConfigureAwait(false);
        return (secret, null);
    }

    public async Task<string?> RemoveKeyAsync(AuditActor actor, string name, CancellationToken cancellationToken)
    {
        var existing = (await store.ListKeysAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(key => key.Name == name);
        if (existing is null || !await store.RemoveKeyAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return $"No API key '{name}'.";
        }

        await audit.RecordAsync(actor, "apikey.remove", name, Describe(existing.Scope, existing.ExpiresAt), null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static string Describe(ApiKeyScope scope, DateTimeOffset? expires) =>
        $"scope={scope.ToString().ToLowerInvariant()} expires={(expires is { } end ? end.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never")}";
}
