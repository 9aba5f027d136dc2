using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Store;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Configuration;
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
        Users = new UserAdministration(Accounts, Access, Audit, policy, new PasswordHashing(), Paths.DefaultHome, TimeProvider.System);
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

    /// <summary>Null when the owner exists, else the error to print.</summary>
    public async Task<string?> CheckOwnerAsync(Owner owner, CancellationToken cancellationToken) => owner.Kind switch
    {
        OwnerKind.User when await Accounts.FindAsync(owner.Name, cancellationToken).ConfigureAwait(false) is null => $"No user '{owner.Name}'.",
        OwnerKind.Group when await Access.FindGroupAsync(owner.Name, cancellationToken).ConfigureAwait(false) is null => $"No group '{owner.Name}'; create it with 'gatehouse group add {owner.Name}'.",
        OwnerKind.Folder when await Access.FindFolderAsync(owner.Name, cancellationToken).ConfigureAwait(false) is null => $"No folder '{owner.Name}'; create it with 'gatehouse folder add {owner.Name} --path DIR'.",
        _ => null,
    };
}
