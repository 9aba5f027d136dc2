using System.Collections.Concurrent;
using Gatehouse.Accounts.Access;

namespace Gatehouse.Accounts;

/// <summary>What this node keeps of an account's last successful login here, for logins while the store is away.</summary>
/// <param name="Account">The account as the store gave it, with its password hash: the verifier a password is checked against.</param>
/// <param name="Policy">The effective settings, folders and permissions the login got.</param>
public sealed record OfflineLogin(Account Account, AccessPolicy Policy, DateTimeOffset LoggedInAt);

/// <summary>
/// Cached logons, as SSSD and Windows keep them: the password verifier and effective policy of each local account that
/// logged in successfully on this node, in memory only, so that a partner who logged in here before gets in while the
/// account store is unreachable, for up to <c>AccountStore:OfflineLoginHours</c> after that login. A login the store
/// answers refreshes the entry, and one that finds the account gone, disabled or with another password drops it, so an
/// administrator's change outlives the cache on every node that has seen the account since. Directory (LDAP) accounts
/// are not kept: the directory holds their password.
/// </summary>
public sealed class OfflineLogins(TimeSpan lifetime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, OfflineLogin> _logins = new(StringComparer.Ordinal);

    /// <summary>A lifetime of zero turns offline logins off.</summary>
    public bool Enabled => lifetime > TimeSpan.Zero;

    public TimeSpan Lifetime => lifetime;

    public void Remember(Account account, AccessPolicy policy)
    {
        if (Enabled && account.Source == Account.LocalSource)
        {
            _logins[account.Name] = new OfflineLogin(account, policy, time.GetUtcNow());
        }
    }

    /// <summary>The account's last login here, unless it is older than the lifetime (then it is dropped).</summary>
    public OfflineLogin? Find(string name)
    {
        if (!_logins.TryGetValue(name, out var login))
        {
            return null;
        }

        if (time.GetUtcNow() - login.LoggedInAt <= lifetime)
        {
            return login;
        }

        _logins.TryRemove(new KeyValuePair<string, OfflineLogin>(name, login));
        return null;
    }

    /// <summary>The store answered for <paramref name="name"/> (null: no such account): an entry it contradicts goes.</summary>
    public void Reconcile(string name, Account? stored)
    {
        if (_logins.TryGetValue(name, out var login)
            && (stored is null || !stored.Enabled || !string.Equals(stored.PasswordHash, login.Account.PasswordHash, StringComparison.Ordinal)))
        {
            _logins.TryRemove(new KeyValuePair<string, OfflineLogin>(name, login));
        }
    }
}
