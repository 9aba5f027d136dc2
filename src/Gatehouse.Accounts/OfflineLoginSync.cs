using Gatehouse.Accounts.Access;

namespace Gatehouse.Accounts;

/// <summary>
/// Keeps <see cref="OfflineLogins"/> in step with the cluster while the store answers: a round-robin balancer sends a
/// partner's next connection to any node, so each node also learns the logins the others recorded (the store's
/// <c>last_login_at</c>), with their verifier and effective policy, and forgets accounts removed, disabled or given
/// another password. Policies are read again once they are older than <see cref="PolicyMaxAge"/>, a bounded number per
/// pass, so that a cluster with thousands of partners costs the store a steady trickle of reads, not a burst.
/// </summary>
public sealed class OfflineLoginSync(OfflineLogins logins, IAccountStore accounts, AccessPolicyResolver resolver, TimeProvider time)
{
    public static readonly TimeSpan PolicyMaxAge = TimeSpan.FromMinutes(15);

    /// <summary>Policies read at most per pass (each is a few queries).</summary>
    public const int MaxPolicyReadsPerPass = 200;

    /// <summary>One pass; throws what the store throws (an outage included): the caller tries again at its next pass.</summary>
    /// <returns>How many policies were read.</returns>
    public async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        if (!logins.Enabled)
        {
            return 0;
        }

        var listedAt = time.GetUtcNow();
        var recent = await accounts.ListLoggedInSinceAsync(listedAt - logins.Lifetime, cancellationToken).ConfigureAwait(false);
        logins.Retain(recent.Select(account => account.Name).ToHashSet(StringComparer.Ordinal), listedAt);
        foreach (var account in recent)
        {
            logins.Reconcile(account.Name, account);
        }

        var due = recent
            .Where(account => account is { Enabled: true, LastLoginAt: not null })
            .Select(account => (Account: account, Kept: logins.Peek(account.Name)))
            .Where(entry => entry.Kept is null || entry.Kept.LoggedInAt < entry.Account.LastLoginAt || listedAt - entry.Kept.PolicyReadAt >= PolicyMaxAge)
            .OrderBy(entry => entry.Kept is null ? DateTimeOffset.MinValue : entry.Kept.PolicyReadAt)
            .Take(MaxPolicyReadsPerPass)
            .ToList();
        foreach (var (account, _) in due)
        {
            var policy = await resolver.ResolveAsync(account.Name, cancellationToken).ConfigureAwait(false);
            logins.Learn(account, policy, account.LastLoginAt!.Value);
        }

        return due.Count;
    }
}
