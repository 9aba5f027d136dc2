using System.Net;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Access;

/// <summary>What the session knows about the client when the password has been verified.</summary>
public sealed record LoginAttempt(string SessionId, IPAddress Client, bool ControlSecure, string? ClientCertificateFingerprint);

/// <summary>
/// The outcome of the checks after a correct password. <see cref="Reply"/> null with no policy means "answer
/// exactly as for a wrong password" (the client must not learn that the password was right).
/// </summary>
/// <param name="Ticket">The session's place in the per-user count when allowed; the session gives it back when it logs out or ends.</param>
public sealed record LoginDecision(AccessPolicy? Policy, FtpReply? Reply, string Reason, IUserSessionTicket? Ticket = null)
{
    public bool Allowed => Policy is not null;
}

/// <summary>
/// Applies the account's effective policy at login: expiry, trusted networks, TLS, client certificate, and the
/// per-user session limit (counted on this node or across the cluster, by <see cref="IUserSessions"/>). A login it
/// allows is kept in <see cref="OfflineLogins"/>; while the store is unreachable, that login's policy is the one applied.
/// </summary>
public sealed class LoginAuthorizer(AccessPolicyResolver resolver, IUserSessions sessions, TimeProvider time, OfflineLogins? offline = null)
{
    /// <param name="cached">This node's last login of the account, when the password was checked against it (the store being away).</param>
    public async Task<LoginDecision> AuthorizeAsync(Account account, LoginAttempt attempt, CancellationToken cancellationToken, OfflineLogin? cached = null)
    {
        var (policy, fromStore) = await ResolveAsync(account, cached, cancellationToken).ConfigureAwait(false);
        if (policy.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            return Silent($"account expired on {expires:u}");
        }

        if (policy.Networks.Check(attempt.Client) is { } refusal)
        {
            return Silent($"{refusal}; rules from {Source(policy, SettingCatalog.Allow)} / {Source(policy, SettingCatalog.Deny)}");
        }

        if (policy.TlsRequired && !attempt.ControlSecure)
        {
            return new LoginDecision(null, new FtpReply(530, "This account requires TLS: reconnect with explicit FTP over TLS (AUTH TLS) before logging in."),
                $"the account requires TLS ({Source(policy, SettingCatalog.Tls)}) and the control connection is plain text");
        }

        if (policy.ClientCertificates.Count > 0 && (attempt.ClientCertificateFingerprint is not { } print || !policy.ClientCertificates.Contains(print)))
        {
            return Silent(attempt.ClientCertificateFingerprint is null
                ? "the account requires a client certificate and none was presented"
                : $"client certificate {attempt.ClientCertificateFingerprint} is not one of the account's ({Source(policy, SettingCatalog.ClientCertificate)})");
        }

        var admission = await sessions.TryEnterAsync(attempt.SessionId, account.Name, attempt.Client, policy.MaxSessions, cancellationToken).ConfigureAwait(false);
        if (admission.Ticket is not { } ticket)
        {
            return new LoginDecision(null, new FtpReply(530, $"Too many sessions for your account (limit {policy.MaxSessions}); close one and try again."),
                $"{admission.Others} sessions already open, max-sessions is {policy.MaxSessions} ({Source(policy, SettingCatalog.MaxSessions)})");
        }

        if (fromStore)
        {
            offline?.Remember(account, policy);
        }

        return new LoginDecision(policy, null, string.Empty, ticket);
    }

    /// <summary>The store's policy; while it is unreachable, the one this node's last login of the account got.</summary>
    private async Task<(AccessPolicy Policy, bool FromStore)> ResolveAsync(Account account, OfflineLogin? cached, CancellationToken cancellationToken)
    {
        if (cached is not null)
        {
            return (cached.Policy, false);
        }

        try
        {
            return (await resolver.ResolveAsync(account.Name, cancellationToken).ConfigureAwait(false), true);
        }
        catch (StoreUnavailableException) when (offline?.Find(account.Name) is { } known && known.Account.PasswordHash == account.PasswordHash)
        {
            return (known.Policy, false);
        }
    }

    private static LoginDecision Silent(string reason) => new(null, null, reason);

    private static string Source(AccessPolicy policy, string key) => policy.Settings.First(setting => setting.Key == key).Source;
}
