using System.Data.Common;
using System.Net.Sockets;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Hosting;

/// <summary>Opens the account store that AccountStore:Provider names, with its schema brought up to date.</summary>
public static class AccountStoreSetup
{
    /// <exception cref="InvalidOperationException">The store cannot be reached or opened; the message names the key to check.</exception>
    public static AccountDatabase Open(GatehouseOptions options)
    {
        if (options.AccountStore.Provider == AccountStoreProvider.Sqlite)
        {
            return AccountDatabase.OpenSqlite(new DataPaths(options.DataDirectory).AccountDatabase);
        }

        try
        {
            return AccountDatabase.OpenPostgres(options.AccountStore.ConnectionString!);
        }
        catch (Exception error) when (error is DbException or SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"the PostgreSQL account store could not be opened: {error.Message}. Check AccountStore:ConnectionString (host, port, database, user, password) and that the server accepts connections from this node.",
                error);
        }
    }
}
