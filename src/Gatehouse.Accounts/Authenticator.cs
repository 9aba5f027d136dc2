using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Accounts.Ldap;
using Gatehouse.Accounts.Store;

namespace Gatehouse.Accounts;

/// <summary>
/// Verifies passwords against the account store. A successful verification is remembered for a short time
/// (keyed by an HMAC of name and password under a per-process random key, and tied to the stored hash so a
/// password change or disable takes effect at once), so that scripted clients that log in for every file do
/// not pay the full KDF each time. Concurrent identical attempts share one KDF run, and the number of KDF
/// runs in flight is bounded by the CPU count so a flood of logins cannot starve transfers.
/// Names that are not local accounts go to the directory when LDAP is enabled; a local account is never checked
/// against the directory, so local and directory accounts coexist.
/// </summary>
public sealed class Authenticator
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A login time is written at most this often per account: the CLI shows it to the minute, and a database write
    /// on every login would queue scripted logins behind the store's single writer.
    /// </summary>
    public static readonly TimeSpan LoginRecordResolution = TimeSpan.FromMinutes(1);
    private const int MaxCacheEntries = 10_000;

    private readonly IAccountStore _store;
    private readonly PasswordHashing _hashing;
    private readonly TimeProvider _time;
    private readonly DirectoryLogin? _directory;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, CachedVerification> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _loginRecorded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<PasswordCheck>>> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _kdfSlots = new(Environment.ProcessorCount);
    private readonly Lazy<string> _decoyHash;
    private long _keyDerivations;

    private readonly OfflineLogins? _offline;

    /// <param name="offline">This node's cached logins, used while the store is unreachable; null: none kept.</param>
    public Authenticator(IAccountStore store, PasswordHashing hashing, TimeProvider time, DirectoryLogin? directory = null, OfflineLogins? offline = null)
    {
        _store = store;
        _hashing = hashing;
        _time = time;
        _directory = directory;
        _offline = offline;
        _decoyHash = new Lazy<string>(() => _hashing.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));
    }

    /// <summary>How many full KDF runs have been made (a cached verification makes none).</summary>
    public long KeyDerivations => Interlocked.Read(ref _keyDerivations);

    public async Task<AuthenticationResult> AuthenticateAsync(string name, string password, CancellationToken cancellationToken)
    {
        Account? account;
        try
        {
            account = await _store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException unreachable)
        {
            return await AuthenticateOfflineAsync(name, password, unreachable, cancellationToken).ConfigureAwait(false);
        }

        _offline?.Reconcile(name, account);
        if (account is not { Source: Account.LocalSource } && _directory is not null)
        {
            var result = await _directory.LoginAsync(name, password, cancellationToken).ConfigureAwait(false);
            if (result.Account is not null)
            {
                await RecordLoginAsync(result.Account.Name, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }

        if (account is { Source: not Account.LocalSource })
        {
            return new AuthenticationResult(null, AuthenticationFailure.NotPermitted, "a directory account, and Ldap:Enabled is false");
        }

        if (account is null)
        {
            // Spend the same time as a real check so response timing does not reveal which names exist.
            await VerifyAsync(_decoyHash.Value, "decoy:" + name, password).ConfigureAwait(false);
            return new AuthenticationResult(null, AuthenticationFailure.UnknownUser);
        }

        var check = await VerifyAsync(account.PasswordHash, name, password).ConfigureAwait(false);
        if (check == PasswordCheck.Invalid)
        {
            return new AuthenticationResult(null, AuthenticationFailure.WrongPassword);
        }

        if (!account.Enabled)
        {
            return new AuthenticationResult(null, AuthenticationFailure.Disabled);
        }

        try
        {
            if (check == PasswordCheck.ValidNeedsRehash)
            {
                await _store.SetPasswordHashAsync(name, _hashing.Hash(password), cancellationToken).ConfigureAwait(false);
            }

            await RecordLoginAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            // The store went away after it found the account: the login stands; the new hash and time wait for the next login.
        }

        return new AuthenticationResult(account, AuthenticationFailure.None);
    }

    /// <summary>
    /// The store is unreachable: the password is checked against this node's last login of the account, if it has one
    /// within the offline lifetime (a directory account's, with the directory). A wrong password is refused as always;
    /// an account this node knows no login of cannot be checked.
    /// </summary>
    private async Task<AuthenticationResult> AuthenticateOfflineAsync(string name, string password, StoreUnavailableException unreachable, CancellationToken cancellationToken)
    {
        var known = _offline?.Find(name) ?? (_directory is null ? null : _offline?.Find(DirectoryLogin.AccountName(name)));
        if (known is { Account.Source: Account.DirectorySource } && _directory is not null)
        {
            return await _directory.LoginOfflineAsync(known, password, cancellationToken).ConfigureAwait(false);
        }

        if (known is not { Account.Source: Account.LocalSource })
        {
            var why = _offline is not { Enabled: true } ? "offline logins are off (AccountStore:OfflineLoginHours is 0)"
                : known is not null ? "a directory account, and Ldap:Enabled is false"
                : $"this node knows no login of this account within the last {_offline.Lifetime.TotalHours:0.#} h (AccountStore:OfflineLoginHours)";
            return new AuthenticationResult(null, AuthenticationFailure.StoreUnavailable, $"{unreachable.Message}; {why}");
        }

        var check = await VerifyAsync(known.Account.PasswordHash, name, password).ConfigureAwait(false);
        return check == PasswordCheck.Invalid
            ? new AuthenticationResult(null, AuthenticationFailure.WrongPassword, "checked against its last login kept by this node, the account store being unreachable")
            : new AuthenticationResult(known.Account, AuthenticationFailure.None, Offline: known);
    }

    private async Task RecordLoginAsync(string name, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_loginRecorded.TryGetValue(name, out var last) && now - last < LoginRecordResolution)
        {
            return;
        }

        _loginRecorded[name] = now;
        await _store.RecordLoginAsync(name, now, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PasswordCheck> VerifyAsync(string storedHash, string name, string password)
    {
        var proof = Proof(storedHash, name, password);
        if (_verified.TryGetValue(proof, out var cached) && cached.ExpiresAt > _time.GetUtcNow())
        {
            return PasswordCheck.Valid;
        }

        var run = _inFlight.GetOrAdd(proof, _ => new Lazy<Task<PasswordCheck>>(() => RunKdfAsync(storedHash, password)));
        try
        {
            var result = await run.Value.ConfigureAwait(false);
            if (result != PasswordCheck.Invalid)
            {
                Remember(proof);
            }

            return result;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<PasswordCheck>>>(proof, run));
        }
    }

    private async Task<PasswordCheck> RunKdfAsync(string storedHash, string password)
    {
        await _kdfSlots.WaitAsync().ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _keyDerivations);
            return await Task.Run(() => _hashing.Verify(storedHash, password)).ConfigureAwait(false);
        }
        finally
        {
            _kdfSlots.Release();
        }
    }

    private void Remember(string proof)
    {
        var now = _time.GetUtcNow();
        if (_verified.Count >= MaxCacheEntries)
        {
            foreach (var entry in _verified)
            {
                if (entry.Value.ExpiresAt <= now)
                {
                    _verified.TryRemove(entry);
                }
            }

            if (_verified.Count >= MaxCacheEntries)
            {
                _verified.Clear();
            }
        }

        _verified[proof] = new CachedVerification(now + CacheLifetime);
    }

    private string Proof(string storedHash, string name, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes($"{storedHash}\0{name}\0{password}")));

    private readonly record struct CachedVerification(DateTimeOffset ExpiresAt);
}
