namespace Gatehouse.Accounts.Store;

/// <summary>
/// What a part of the server kept in memory because the account store was unreachable when it had to be written (a
/// ban, a failed login, a session, usage), to be written when the store is back.
/// </summary>
public interface IStoreBacklog
{
    /// <summary>What the entries are, for the log line that says what was written back ("bans", "failed logins").</summary>
    string What { get; }

    /// <returns>How many entries were written; those that could not be stay for the next call.</returns>
    Task<int> WriteBackAsync(CancellationToken cancellationToken);
}
