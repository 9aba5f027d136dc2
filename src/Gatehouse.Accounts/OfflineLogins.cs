using System.Collections.Concurrent;
using Gatehouse.Accounts.Access;

namespace Gatehouse.Accounts;

/// <summary>What this node keeps of an account's last successful login in the cluster, for logins while the store is away.</summary>
/// <param name="Account">The account as the store gave it, with its password hash: the verifier a password is checked against.</param>
/// <param name="Policy">The effective settings, folders and permissions, as the store gave them at <paramref name="PolicyReadAt"/>.</param>
/// <param name="LoggedInAt">The login's time: on this node, or the time another node recorded in the store.</param>
public sealed record OfflineLogin(Account Account, AccessPolicy Policy, DateTimeOffset LoggedInAt, DateTimeOffset PolicyReadAt);

/// <summary>
/// Cached logons, as SSSD and Windows keep them: the password verifier and effective policy of each local account that
/// logged in successfully on this node (or, learnt by <see cref="OfflineLoginSync"/>, on another node of the cluster), in
/// memory only, so that a partner who logged in before gets in while the account store is unreachable, for up to
/// <c>AccountStore:OfflineLoginHours</c> after that login. A login the store answers refreshes the entry, and one that
/// finds the account gone, disabled or with another password drops it, as does the next sync. For a directory (LDAP)
/// account only the policy is of use: the directory still checks its password.
/// </summary>
public sealed class OfflineLogins(TimeSpan lifetime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, OfflineLogin> _logins = new(StringComparer.Ordinal);

    /// <summary>A lifetime of zero turns offline logins off.</summary>
    public bool Enabled => lifetime > TimeSpan.Zero;

    public TimeSpan Lifetime => lifetime;

    /// <summary>A login on this node that the store answered.</summary>
    public void Remember(Account account, AccessPolicy policy) => Learn(account, policy, time.GetUtcNow());

    /// <summary>A login at <paramref name="loggedInAt"/>, here or on another node, with the policy the store gives now.</summary>
    public void Learn(Account account, AccessPolicy policy, DateTimeOffset loggedInAt)
    {
        if (!Enabled)
        {
            return;
        }

        var now = time.GetUtcNow();
        _logins.AddOrUpdate(
            account.Name,
            _ => new OfflineLogin(account, policy, loggedInAt, now),
            (_, kept) => new OfflineLogin(account, policy, kept.LoggedInAt > loggedInAt ? kept.LoggedInAt : loggedInAt, now));
    }

    /// <summary>The entry as kept, whatever its age.</summary>
    internal OfflineLogin? Peek(string name) => _logins.GetValueOrDefault(name);

    /// <summary>
    /// Drops each entry whose account the store no longer lists among the recent logins (removed, or its last login older
    /// than the lifetime), unless the entry itself is newer than <paramref name="listedAt"/>, when the list was read.
    /// </summary>
    internal void Retain(IReadOnlySet<string> listed, DateTimeOffset listedAt)
    {
        foreach (var entry in _logins)
        {
            if (!listed.Contains(entry.Key) && entry.Value.PolicyReadAt < listedAt)
            {
                _logins.TryRemove(entry);
            }
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
