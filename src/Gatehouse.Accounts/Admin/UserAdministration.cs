using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Audit;

namespace Gatehouse.Accounts.Admin;

/// <summary>
/// Changes to FTP accounts as both the CLI and the admin API make them: the same name and password rules, the same
/// messages, and each change recorded in the audit trail (never the password).
/// </summary>
/// <param name="defaultHome">The home a new user gets when none is given (under the data directory).</param>
public sealed class UserAdministration(
    IAccountStore accounts, IAccessStore access, AuditTrail audit, PasswordPolicy policy, PasswordHashing hashing, DirectoryConfinement directories,
    Func<string, string> defaultHome, TimeProvider time)
{
    /// <returns>Null when created, else what is wrong (nothing was changed).</returns>
    public async Task<AdminRefusal?> AddAsync(AuditActor actor, string name, string? password, string? home, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        if (!AccountNames.IsValid(name, out var error))
        {
            return AdminRefusal.Invalid("name", error);
        }

        if (await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return AdminRefusal.Conflict("name", $"User '{name}' already exists; use 'user passwd' to change the password or 'user set' to change settings.");
        }

        foreach (var group in groups)
        {
            if (await access.FindGroupAsync(group, cancellationToken).ConfigureAwait(false) is null)
            {
                return AdminRefusal.Invalid("groups", $"No group '{group}'; create it with 'gatehouse group add {group}'.");
            }
        }

        if (CheckPassword(name, password) is { } weak)
        {
            return weak;
        }

        var (directory, outside) = directories.Check("home", home ?? defaultHome(name));
        if (outside is not null)
        {
            return outside;
        }

        Directory.CreateDirectory(directory!);
        if (!await accounts.AddAsync(new Account(name, hashing.Hash(password!), directory!, true, time.GetUtcNow(), null), cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.Conflict("name", $"User '{name}' already exists.");
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

    /// <summary>Moves the account's home to another directory (created if missing; files are not moved).</summary>
    public async Task<AdminRefusal?> SetHomeAsync(AuditActor actor, string name, string? home, CancellationToken cancellationToken)
    {
        var (directory, outside) = directories.Check("home", home);
        if (outside is not null)
        {
            return outside;
        }

        var account = await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return AdminRefusal.NotFound("name", $"No user '{name}'.");
        }

        Directory.CreateDirectory(directory!);
        await accounts.SetHomeDirectoryAsync(name, directory!, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(actor, "user.home", name, $"home={account.HomeDirectory}", $"home={directory}", cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <returns>Null when changed, else what is wrong.</returns>
    public async Task<AdminRefusal?> SetPasswordAsync(AuditActor actor, string name, string? password, CancellationToken cancellationToken)
    {
        var account = await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return AdminRefusal.NotFound("name", $"No user '{name}'.");
        }

        if (account.Source == Account.DirectorySource)
        {
            return AdminRefusal.Invalid("password", $"'{name}' is a directory account: its password is checked by the LDAP directory, so change it there.");
        }

        if (CheckPassword(name, password) is { } weak)
        {
            return weak;
        }

        await accounts.SetPasswordHashAsync(name, hashing.Hash(password!), cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(actor, "user.passwd", name, null, null, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private AdminRefusal? CheckPassword(string name, string? password) =>
        string.IsNullOrEmpty(password) ? AdminRefusal.Invalid("password", "A password is required.")
        : policy.Check(name, password) is { } weak ? AdminRefusal.Invalid("password", weak + " (Accounts:PasswordMinLength sets the minimum length.)")
        : null;
}
