using System.Data.Common;

namespace Gatehouse.Accounts.Store;

/// <summary>
/// The account store could not be reached or stopped answering (a database restart, failover, partition or exhausted
/// connection limit): an expected condition of a shared store, not a defect, so callers log it without a stack trace
/// and keep serving what they can. It is a <see cref="DbException"/>, so code that already tolerates database errors
/// tolerates this one too.
/// </summary>
public sealed class StoreUnavailableException : DbException
{
    public StoreUnavailableException(string store, Exception cause)
        : base($"The account store ({store}) cannot be reached: {cause.Message}", cause)
    {
    }

    /// <summary>Not tried at all: the store is known to be away (<see cref="AccountDatabase"/> asks it again about once a second).</summary>
    public StoreUnavailableException(string store, string reason)
        : base($"The account store ({store}) cannot be reached: {reason}")
    {
    }
}
