using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Audit;

namespace Gatehouse.Accounts.Admin;

/// <summary>
/// Changes to FTP accounts as both the CLI and the admin API make them: the same name and password rules, the same
/// messages, and each change recorded in the audit trail (never the password).
/// </summary>
/// <param name="defaultHome">The home a new user gets when none is given (under the data directory).</param>
public sealed class UserAdministration(
    IAccountStore accounts, IAccessStore access, AuditTrail audit, PasswordPolicy policy, PasswordHashing hashing, Func<string, string> defaultHome, TimeProvider time)
{
    /// <returns>Null when created, else what is wrong (nothing was changed).</returns>
    public async Task<string?> AddAsync(AuditActor actor, string name, string password, string? home, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        if (!AccountNames.IsValid(name, out var error))
        {
            return error;
        }

        if (await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return $"User '{name}' already exists; use 'user passwd' to change the password or 'user set' to change settings.";
        }

        foreach (var group in groups)
        {
            if (await access.FindGroupAsync(group, cancellationToken).ConfigureAwait(false) is null)
            {
                return $"No group '{group}'; create it with 'gatehouse group add {group}'.";
            }
        }

        if (CheckPassword(name, password) is { } weak)
        {
            return weak;
        }

        var directory = home ?? defaultHome(name);
        Directory.CreateDirectory(directory);
        if (!await accounts.AddAsync(new Account(name, hashing.Hash(password), directory, true, time.GetUtcNow(), null), cancellationToken).ConfigureAwait(false))
        {
            return $"User '{name}' already exists.";
        }

        foreach (var group in groups)
        {
            await access.AddMemberAsync(name, group, cancellationToken).ConfigureAwait(false);
        }

        await audit.RecordAsync(actor, "user.add", name, null, $"home={directory} groups={string.Join(',', groups)}", cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <returns>The removed account (its home is kept), or null when there was none.</returns>
    public async Task<Account?> RemoveAsync(AuditActor actor, string name, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null || !await accounts.RemoveAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        await audit.RecordAsync(actor, "user.remove", name, $"home={account.HomeDirectory} enabled={account.Enabled}", null, cancellationToken).ConfigureAwait(false);
        return account;
    }

    /// <returns>False when there is no such user.</returns>
    public async Task<bool> SetEnabledAsync(AuditActor actor, string name, bool enabled, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null || !await accounts.SetEnabledAsync(name, enabled, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await audit.RecordAsync(actor, enabled ? "user.enable" : "user.disable", name, $"enabled={account.Enabled}", $"enabled={enabled}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <returns>Null when changed, else what is wrong.</returns>
    public async Task<string?> SetPasswordAsync(AuditActor actor, string name, string password, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return $"No user '{name}'.";
        }

        if (account.Source == Account.DirectorySource)
        {
            return $"'{name}' is a directory account: its password is checked by the LDAP directory, so change it there.";
        }

        if (CheckPassword(name, password) is { } weak)
        {
            return weak;
        }

        await accounts.SetPasswordHashAsync(name, hashing.Hash(password), cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(actor, "user.passwd", name, null, null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private string? CheckPassword(string name, string password) =>
        policy.Check(name, password) is { } weak ? weak + " (Accounts:PasswordMinLength sets the minimum length.)" : null;
}
