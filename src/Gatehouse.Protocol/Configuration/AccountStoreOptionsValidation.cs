using Npgsql;

namespace Gatehouse.Protocol.Configuration;

internal static class AccountStoreOptionsValidation
{
    /// <summary>A cached login older than a month is no longer "a partner who logged in before".</summary>
    public const int MaxOfflineLoginHours = 720;

    public const int MaxOfflineLoginSyncSeconds = 3600;

    public static void Check(AccountStoreOptions store, Action<string, string> problem)
    {
        if (store.OfflineLoginHours is < 0 or > MaxOfflineLoginHours)
        {
            problem("AccountStore:OfflineLoginHours", $"{store.OfflineLoginHours} is outside 0-{MaxOfflineLoginHours} hours; use 24, or 0 to refuse every login while the store is unreachable");
        }

        if (store.OfflineLoginSyncSeconds is < 1 or > MaxOfflineLoginSyncSeconds)
        {
            problem("AccountStore:OfflineLoginSyncSeconds", $"{store.OfflineLoginSyncSeconds} is outside 1-{MaxOfflineLoginSyncSeconds} seconds; use 30");
        }

        var hasConnectionString = !string.IsNullOrWhiteSpace(store.ConnectionString);
        if (store.Provider == AccountStoreProvider.Sqlite)
        {
            if (hasConnectionString)
            {
                problem("AccountStore:ConnectionString", "is only used with AccountStore:Provider PostgreSql (SQLite keeps accounts.db in DataDirectory); remove it or set the provider");
            }

            return;
        }

        if (!hasConnectionString)
        {
            problem("AccountStore:ConnectionString", "must be set when AccountStore:Provider is PostgreSql, for example Host=db.internal;Database=gatehouse;Username=gatehouse;Passfile=/etc/gatehouse/pgpass");
            return;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(store.ConnectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                problem("AccountStore:ConnectionString", "names no Host; add Host=the PostgreSQL server's name or address");
            }
        }
        catch (ArgumentException error)
        {
            problem("AccountStore:ConnectionString", $"is not a valid PostgreSQL connection string ({error.Message}); write Key=Value pairs separated by ';', for example Host=db.internal;Database=gatehouse;Username=gatehouse");
        }
    }
}
