namespace Gatehouse.Accounts.Bans;

/// <summary>Failed logins per account name, kept in the account store so that every node of a cluster counts them all.</summary>
public interface IAccountFailureStore
{
    /// <summary>The failures of <paramref name="account"/> at or after <paramref name="since"/>, and those from <paramref name="address"/>.</summary>
    Task<AccountFailures> RecentAsync(string account, string address, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Records an attempt as failed at <paramref name="at"/> (the time it will be answered, for one that waits).</summary>
    Task RecordAsync(string id, string account, string address, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>A login succeeded: its own pending record and the earlier failures from its address for the account go.</summary>
    Task ForgiveAsync(string id, string account, string address, CancellationToken cancellationToken);

    /// <summary>Deletes failures older than <paramref name="before"/>.</summary>
    Task ForgetAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
