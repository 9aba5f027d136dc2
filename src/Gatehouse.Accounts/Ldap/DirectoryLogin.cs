using Gatehouse.Accounts.Access;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Accounts.Ldap;

/// <summary>
/// Logs in directory users: verifies the password with the directory, creates the local account (Source "ldap")
/// and its home on the first login, and at every login makes the account's membership of the groups named in
/// Ldap:GroupMappings follow the directory. Groups an administrator adds by hand that no mapping targets are kept.
/// </summary>
public sealed partial class DirectoryLogin(
    IUserDirectory directory,
    DirectoryGroupMap groupMap,
    bool allowUnmappedUsers,
    IAccountStore accounts,
    IAccessStore access,
    Func<string, string> defaultHome,
    TimeProvider time,
    ILogger logger)
{
    public string Address => directory.Address;

    /// <summary>The local account name of a directory user: lower case, as directories compare names without case.</summary>
    public static string AccountName(string loginName) => loginName.ToLowerInvariant();

    /// <param name="name">The login name as typed.</param>
    public async Task<AuthenticationResult> LoginAsync(string name, string password, CancellationToken cancellationToken)
    {
        var canonical = AccountName(name);
        if (!AccountNames.IsValid(canonical, out var nameError))
        {
            return new AuthenticationResult(null, AuthenticationFailure.UnknownUser, $"not a usable account name: {nameError}");
        }

        var existing = await accounts.FindAsync(canonical, cancellationToken).ConfigureAwait(false);
        if (existing is { Source: not Account.DirectorySource })
        {
            return new AuthenticationResult(null, AuthenticationFailure.NotPermitted, $"'{canonical}' is a local account; a directory user cannot take it over");
        }

        var verification = await directory.VerifyAsync(canonical, password, cancellationToken).ConfigureAwait(false);
        switch (verification.Outcome)
        {
            case DirectoryOutcome.Unavailable:
                return new AuthenticationResult(null, AuthenticationFailure.DirectoryUnavailable, verification.Detail);
            case DirectoryOutcome.UnknownUser:
                return new AuthenticationResult(null, AuthenticationFailure.UnknownUser, verification.Detail);
            case DirectoryOutcome.WrongPassword:
                return new AuthenticationResult(null, AuthenticationFailure.WrongPassword, verification.Detail);
        }

        var groups = groupMap.Map(verification.Groups);
        if (groups.Count == 0 && !allowUnmappedUsers)
        {
            return new AuthenticationResult(null, AuthenticationFailure.NotPermitted,
                $"{verification.DistinguishedName} is in no directory group listed in Ldap:GroupMappings (its groups: {Describe(verification.Groups)})");
        }

        var account = existing ?? await CreateAsync(canonical, verification.DistinguishedName, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return new AuthenticationResult(null, AuthenticationFailure.NotPermitted, $"'{canonical}' was just created as a local account");
        }

        if (!account.Enabled)
        {
            return new AuthenticationResult(null, AuthenticationFailure.Disabled, $"directory account {verification.DistinguishedName} is disabled here");
        }

        await SyncGroupsAsync(canonical, groups, cancellationToken).ConfigureAwait(false);
        return new AuthenticationResult(account, AuthenticationFailure.None, verification.DistinguishedName);
    }

    /// <summary>
    /// The account store is unreachable and this node kept <paramref name="known"/>, the directory account's last login:
    /// the directory still decides the password (and whether the user is in a mapped group); the policy is the kept one.
    /// </summary>
    public async Task<AuthenticationResult> LoginOfflineAsync(OfflineLogin known, string password, CancellationToken cancellationToken)
    {
        var verification = await directory.VerifyAsync(known.Account.Name, password, cancellationToken).ConfigureAwait(false);
        return verification.Outcome switch
        {
            DirectoryOutcome.Verified when groupMap.Map(verification.Groups).Count == 0 && !allowUnmappedUsers => new AuthenticationResult(
                null, AuthenticationFailure.NotPermitted, $"{verification.DistinguishedName} is in no directory group listed in Ldap:GroupMappings (its groups: {Describe(verification.Groups)})"),
            DirectoryOutcome.Verified => new AuthenticationResult(known.Account, AuthenticationFailure.None, verification.DistinguishedName, known),
            DirectoryOutcome.UnknownUser => new AuthenticationResult(null, AuthenticationFailure.UnknownUser, verification.Detail),
            DirectoryOutcome.WrongPassword => new AuthenticationResult(null, AuthenticationFailure.WrongPassword, $"{verification.Detail} (the account store being unreachable)"),
            _ => new AuthenticationResult(null, AuthenticationFailure.DirectoryUnavailable, verification.Detail),
        };
    }

    private async Task<Account?> CreateAsync(string name, string distinguishedName, CancellationToken cancellationToken)
    {
        var home = defaultHome(name);
        Directory.CreateDirectory(home);
        var account = new Account(name, string.Empty, home, Enabled: true, time.GetUtcNow(), LastLoginAt: null, Account.DirectorySource);
        if (await accounts.AddAsync(account, cancellationToken).ConfigureAwait(false))
        {
            LogAccountCreated(logger, name, distinguishedName, home);
            return account;
        }

        // Another session created it first; use it only if it is a directory account too.
        var raced = await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false);
        return raced is { Source: Account.DirectorySource } ? raced : null;
    }

    private async Task SyncGroupsAsync(string user, IReadOnlySet<string> groups, CancellationToken cancellationToken)
    {
        var current = await access.GroupsOfAsync(user, cancellationToken).ConfigureAwait(false);
        foreach (var group in groups.Except(current, StringComparer.Ordinal))
        {
            if (await access.FindGroupAsync(group, cancellationToken).ConfigureAwait(false) is null)
            {
                LogMissingGroup(logger, group, user);
                continue;
            }

            await access.AddMemberAsync(user, group, cancellationToken).ConfigureAwait(false);
            LogMembershipChanged(logger, user, "joined", group);
        }

        foreach (var group in current.Where(group => groupMap.Targets.Contains(group) && !groups.Contains(group)))
        {
            await access.RemoveMemberAsync(user, group, cancellationToken).ConfigureAwait(false);
            LogMembershipChanged(logger, user, "left", group);
        }
    }

    private static string Describe(IReadOnlyList<string> groups) => groups.Count == 0 ? "none" : string.Join("; ", groups);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Created directory account '{User}' for {DistinguishedName} with home {Home}")]
    private static partial void LogAccountCreated(ILogger logger, string user, string distinguishedName, string home);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Directory account '{User}' {Change} group '{Group}' (Ldap:GroupMappings)")]
    private static partial void LogMembershipChanged(ILogger logger, string user, string change, string group);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Ldap:GroupMappings names group '{Group}', which does not exist, so '{User}' could not join it; create it with 'gatehouse group add {Group}'")]
    private static partial void LogMissingGroup(ILogger logger, string group, string user);
}
