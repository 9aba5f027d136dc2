using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Events;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Server;
using Gatehouse.Storage.Quotas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Admin;

/// <summary>
/// The admin listener runs its own small container; these are the server's instances it uses, handed over by name
/// (the same stores and audit trail as the CLI's, the same live sessions as the FTP server's), never created twice.
/// </summary>
internal static class AdminServices
{
    public static void ShareFrom(IServiceProvider server, IServiceCollection admin)
    {
        // The server's loggers, so the listener's lines reach the same console or journal.
        admin.Replace(ServiceDescriptor.Singleton(server.GetRequiredService<ILoggerFactory>()));
        admin.AddSingleton(server.GetRequiredService<TimeProvider>());
        admin.AddSingleton(server.GetRequiredService<IAccountStore>());
        admin.AddSingleton(server.GetRequiredService<IAccessStore>());
        admin.AddSingleton(server.GetRequiredService<IAdminStore>());
        admin.AddSingleton(server.GetRequiredService<AdminAccounts>());
        admin.AddSingleton(server.GetRequiredService<AuditTrail>());
        admin.AddSingleton(server.GetRequiredService<UserAdministration>());
        admin.AddSingleton(server.GetRequiredService<BanAdministration>());
        admin.AddSingleton(server.GetRequiredService<AccessAdministration>());
        admin.AddSingleton(server.GetRequiredService<IUsageStore>());
        admin.AddSingleton(server.GetRequiredService<AccessPolicyResolver>());
        admin.AddSingleton(server.GetRequiredService<StorageMaintenance>());
        admin.AddSingleton(server.GetRequiredService<IEventStore>());
        admin.AddSingleton(server.GetRequiredService<RuleAdministration>());
        admin.AddSingleton(server.GetRequiredService<RuleRunner>());
        admin.AddSingleton(server.GetRequiredService<GatehouseOptions>());
        admin.AddSingleton(server.GetRequiredService<LiveSessions>());
        admin.AddSingleton(server.GetRequiredService<NodeDrain>());
    }
}
