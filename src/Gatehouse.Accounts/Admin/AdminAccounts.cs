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

    /// <summary>
    /// For an administrator who lost the authenticator and the recovery codes: the second factor and the codes are
    /// forgotten, and the next login with the password enrols a new app (as the first login did).
    /// </summary>
    public async Task<string?> ResetTotpAsync(AuditActor actor, string name, CancellationToken cancellationToken)
    {
        var existing = await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is null || !await store.ResetTotpAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return $"No administrator '{name}'.";
        }

        await audit.RecordAsync(actor, "admin.totp.reset", name, existing.TotpSecret is null ? "second factor=none" : "second factor=totp", "second factor=none (enrols at the next login)", cancellationToken)
            .ConfigureAwait(false);
        return null;
    }

    /// <param name="users">With <paramref name="groups"/>: the only users the key reaches (and the members of those groups); none: every user.</param>
    /// <returns>The secret (shown once, never stored), or the error.</returns>
    public async Task<(string? Secret, string? Error)> AddKeyAsync(
        AuditActor actor, string name, ApiKeyScope scope, DateTimeOffset? expires, CancellationToken cancellationToken, IReadOnlyList<string>? users = null, IReadOnlyList<string>? groups = null)
    {
        if (!AccountNames.IsValid(name, out var error))
        {
            return (null, error.Replace("user name", "key name", StringComparison.Ordinal));
        }

        foreach (var reached in (users ?? []).Concat(groups ?? []))
        {
            if (!AccountNames.IsValid(reached, out error))
            {
                return (null, $"'{reached}': {error}");
            }
        }

        if (scope == ApiKeyScope.Metrics && (users is { Count: > 0 } || groups is { Count: > 0 }))
        {
            return (null, "A metrics key reads no users; --user and --group apply to read and write keys.");
        }

        if (expires is { } end && end <= time.GetUtcNow())
        {
            return (null, $"The expiry {end:u} is in the past.");
        }

        var secret = ApiKey.NewSecret();
        var key = new ApiKey(name, ApiKey.HashOf(secret), scope, time.GetUtcNow(), expires, users ?? [], groups ?? []);
        if (!await store.AddKeyAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return (null, $"An API key named '{name}' already exists; remove it first or choose another name.");
        }

        await audit.RecordAsync(actor, "apikey.add", name, null, Describe(key), cancellationToken).ConfigureAwait(false);
        return (secret, null);
    }

    public async Task<string?> RemoveKeyAsync(AuditActor actor, string name, CancellationToken cancellationToken)
    {
        var existing = (await store.ListKeysAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(key => key.Name == name);
        if (existing is null || !await store.RemoveKeyAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return $"No API key '{name}'.";
        }

        await audit.RecordAsync(actor, "apikey.remove", name, Describe(existing), null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static string Describe(ApiKey key) =>
        $"scope={key.Scope.ToString().ToLowerInvariant()} expires={(key.ExpiresAt is { } end ? end.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never")}"
        + (key.IsLimited ? $" users={string.Join(',', key.Users ?? [])} groups={string.Join(',', key.Groups ?? [])}" : string.Empty);
}
