using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Events;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Cli;

/// <summary>The account store as the CLI uses it: opened from the configuration, safe while the server runs (SQLite WAL, or PostgreSQL).</summary>
internal sealed class CliStore
{
    public const int Failure = 1;

    private CliStore(GatehouseOptions options)
    {
        Options = options;
        Paths = new DataPaths(options.DataDirectory);
        if (ServiceAccount.BecomeOwnerOf(Paths.Root) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }

        Directory.CreateDirectory(Paths.Root);
        var database = AccountStoreSetup.Open(options);
        Accounts = new SqlAccountStore(database);
        Access = new SqlAccessStore(database);
        Usage = new SqlUsageStore(database);
        Bans = new SqlBanStore(database);
        Events = new SqlEventStore(database, TimeProvider.System);
        Admins = new SqlAdminStore(database);
        Audit = new AuditTrail(new SqlAuditStore(database), TimeProvider.System);
        var policy = new PasswordPolicy(options.Accounts.PasswordMinLength);
        AdminAccounts = new AdminAccounts(Admins, Audit, policy, new PasswordHashing(), TimeProvider.System);
        BanAdministration = new BanAdministration(Bans, Audit, TimeProvider.System);
        var directories = new DirectoryConfinement(Paths.Root);
        Users = new UserAdministration(Accounts, Access, Audit, policy, new PasswordHashing(), directories, Paths.DefaultHome, TimeProvider.System);
        AccessAdministration = new AccessAdministration(Accounts, Access, Audit, directories);
        Rules = new RuleAdministration(Events, options.Events, Audit);
        Maintenance = new StorageMaintenance(
            Accounts, Access, Usage, new RetentionRunner(Accounts, Access, TimeProvider.System), Audit, (area, change, cancellationToken) => Usage.AddAsync(area, change, cancellationToken));
    }

    /// <summary>Who the audit trail says made a change from the command line: the operating-system account, on this machine.</summary>
    public static AuditActor Actor => new($"cli:{Environment.UserName}", $"local ({Environment.MachineName})");

    public GatehouseOptions Options { get; }

    public DataPaths Paths { get; }

    public IAccountStore Accounts { get; }

    public IAccessStore Access { get; }

    public IUsageStore Usage { get; }

    public IBanStore Bans { get; }

    public IEventStore Events { get; }

    public IAdminStore Admins { get; }

    public AuditTrail Audit { get; }

    public AdminAccounts AdminAccounts { get; }

    public BanAdministration BanAdministration { get; }

    /// <summary>Adding, removing, enabling and disabling users and their passwords, as the admin API does it too.</summary>
    public UserAdministration Users { get; }

    /// <summary>Event rules and deliveries, as the admin API changes them too.</summary>
    public RuleAdministration Rules { get; }

    /// <summary>Quota scans and retention runs, as the admin API starts them too.</summary>
    public StorageMaintenance Maintenance { get; }

    /// <summary>Groups, folders, mounts, permissions and settings, as the admin API changes them too.</summary>
    public AccessAdministration AccessAdministration { get; }

    public static async Task<int> RunAsync(FileInfo? configFile, Func<CliStore, Task<int>> action)
    {
        var configuration = CommonOptions.LoadOrReport(configFile);
        if (configuration?.Options is not { } options)
        {
            return CommonOptions.ConfigurationError;
        }

        CliStore store;
        try
        {
            store = new CliStore(options);
        }
        catch (InvalidOperationException error)
        {
            return Fail($"Gatehouse could not open its account store: {error.Message}");
        }

        return await action(store).ConfigureAwait(false);
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return Failure;
    }

    /// <summary>Prints <paramref name="message"/> when the change was made, else the refusal; the exit code.</summary>
    public static int Report(AdminRefusal? refusal, string message)
    {
        if (refusal is not null)
        {
            return Fail(refusal.Message);
        }

        Console.WriteLine(message);
        return 0;
    }
}
