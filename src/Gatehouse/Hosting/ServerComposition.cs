using System.Diagnostics.Metrics;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Accounts.Events;
using Gatehouse.Accounts.Networks;
using Gatehouse.Accounts.Store;
using Gatehouse.Admin;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Cluster;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Sessions;
using Gatehouse.Protocol.Tls;
using Gatehouse.Storage.Quotas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Hosting;

/// <summary>The composition root: every service of the FTP server, created from validated options.</summary>
public static class ServerComposition
{
    public static void AddGatehouseServer(this IServiceCollection services, GatehouseOptions options, ValidatedSettings settings)
    {
        var paths = new DataPaths(options.DataDirectory);
        services.AddSingleton(options);
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => AccountStoreSetup.Open(options));
        services.AddSingleton(provider => provider.GetRequiredService<AccountDatabase>().Reachability);
        services.AddSingleton(provider => new OfflineLogins(TimeSpan.FromHours(options.AccountStore.OfflineLoginHours), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAccountStore>(provider => new SqlAccountStore(provider.GetRequiredService<AccountDatabase>()));
        services.AddSingleton<IAccessStore>(provider => new SqlAccessStore(provider.GetRequiredService<AccountDatabase>()));
        services.AddSingleton<IUsageStore>(provider => new SqlUsageStore(provider.GetRequiredService<AccountDatabase>()));
        services.AddSingleton<IBanStore>(provider => new SqlBanStore(provider.GetRequiredService<AccountDatabase>()));
        services.AddSingleton<IAdminStore>(provider => new SqlAdminStore(provider.GetRequiredService<AccountDatabase>()));
        services.AddSingleton(provider => new AuditTrail(new SqlAuditStore(provider.GetRequiredService<AccountDatabase>()), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new UserAdministration(
            provider.GetRequiredService<IAccountStore>(), provider.GetRequiredService<IAccessStore>(), provider.GetRequiredService<AuditTrail>(),
            new PasswordPolicy(options.Accounts.PasswordMinLength), provider.GetRequiredService<PasswordHashing>(), provider.GetRequiredService<DirectoryConfinement>(), paths.DefaultHome,
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => new DirectoryConfinement(paths.Root));
        services.AddSingleton(provider => new AdminAccounts(
            provider.GetRequiredService<IAdminStore>(), provider.GetRequiredService<AuditTrail>(), new PasswordPolicy(options.Accounts.PasswordMinLength),
            provider.GetRequiredService<PasswordHashing>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new RuleAdministration(provider.GetRequiredService<IEventStore>(), options.Events, provider.GetRequiredService<AuditTrail>()));
        services.AddSingleton(provider => new LoginAudit(
            provider.GetRequiredService<AuditTrail>(), provider.GetRequiredService<StoreReachability>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<LoginAudit>>()));
        services.AddSingleton(provider => new AccessAdministration(
            provider.GetRequiredService<IAccountStore>(), provider.GetRequiredService<IAccessStore>(), provider.GetRequiredService<AuditTrail>(), provider.GetRequiredService<DirectoryConfinement>()));
        services.AddSingleton(provider => new BanAdministration(provider.GetRequiredService<IBanStore>(), provider.GetRequiredService<AuditTrail>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new AccountThrottle(
            new SqlAccountFailureStore(provider.GetRequiredService<AccountDatabase>()),
            AccountThrottlePolicyFrom(options.Bans),
            settings.BanExemptNetworks,
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new AccessPolicyResolver(provider.GetRequiredService<IAccessStore>()));
        services.AddSingleton(provider => new QuotaLedgers(
            provider.GetRequiredService<IUsageStore>(),
            provider.GetRequiredService<ILogger<QuotaLedgers>>(),
            new UsageMarkers(paths.UsageMarkers, options.Storage.SyncUploads),
            provider.GetRequiredService<StoreReachability>()));
        services.AddSingleton(provider => new BanList(
            provider.GetRequiredService<IBanStore>(), BanPolicyFrom(options.Bans, settings.BanExemptNetworks), provider.GetRequiredService<TimeProvider>(),
            ban => provider.GetRequiredService<EventRecorder>().RaiseBanAsync(ban)));
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton(provider => new Authenticator(
            provider.GetRequiredService<IAccountStore>(),
            provider.GetRequiredService<PasswordHashing>(),
            provider.GetRequiredService<TimeProvider>(),
            DirectorySetup.CreateLogin(
                options.Ldap, paths, provider.GetRequiredService<IAccountStore>(), provider.GetRequiredService<IAccessStore>(),
                provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILoggerFactory>()),
            provider.GetRequiredService<OfflineLogins>()));
        services.AddSingleton(_ => new TransferLog(paths.TransferLog));
        services.AddSingleton(provider => new UserFileSystemFactory(provider.GetRequiredService<QuotaLedgers>(), options.Storage.SyncUploads));
        AddEvents(services, options);
        services.AddSingleton(provider => CreateTls(options, paths, provider));
        services.AddSingleton<NodeDrain>();
        services.AddSingleton<LiveSessions>();
        services.AddMetrics();
        services.AddOtlpMetrics(options, settings);
        services.AddSingleton(provider => new GatehouseMetrics(provider.GetRequiredService<IMeterFactory>().Create(GatehouseMetrics.MeterName), options.Metrics));
        services.AddSingleton(provider =>
        {
            var time = provider.GetRequiredService<TimeProvider>();
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            var dataLogger = loggers.CreateLogger("Gatehouse.DataChannel");
            var (range, advertised, proxies) = (settings.PassivePorts, settings.PassivePortsAdvertised, settings.TrustedProxies);
            var clustered = options.AccountStore.Provider == AccountStoreProvider.PostgreSql;
            IUserSessions userSessions = clustered ? provider.GetRequiredService<ClusterUserSessions>() : new UserSessionCounter();
            IPassivePorts passivePorts = options.Cluster.RelayPort != 0
                ? new SharedPassiveRange(range, advertised, proxies, dataLogger, provider.GetRequiredService<ClusterPortSharing>(), options.Ftp.MaxSegmentSize)
                : new PassiveListeners(range, advertised, proxies, dataLogger, options.Ftp.MaxSegmentSize);
            var fileSystems = provider.GetRequiredService<UserFileSystemFactory>();
            var bans = provider.GetRequiredService<BanList>();
            var metrics = provider.GetRequiredService<GatehouseMetrics>();
            var commands = FtpCommandTable.CreateDefault(new CommandServices(
                options,
                provider.GetRequiredService<Authenticator>(),
                new LoginAuthorizer(provider.GetRequiredService<AccessPolicyResolver>(), userSessions, time, provider.GetRequiredService<OfflineLogins>()),
                fileSystems.Create,
                bans,
                provider.GetRequiredService<AccountThrottle>(),
                new PassiveAddressSelector(settings, new DnsHostNameResolver(time, TimeSpan.FromSeconds(options.Ftp.PassiveAddressRefreshSeconds), dataLogger)),
                time,
                metrics,
                provider.GetRequiredService<LoginAudit>()));
            var context = new FtpServerContext
            {
                Options = options,
                Settings = settings,
                Commands = commands,
                Throttles = new TransferThrottles(time),
                Bans = bans,
                ConnectPolicy = new AddressPolicy(settings.AllowedNetworks, settings.DeniedNetworks),
                TrustedProxies = proxies,
                Tls = provider.GetRequiredService<TlsHolder>().Provider,
                PassivePorts = passivePorts,
                TransferLog = provider.GetRequiredService<TransferLog>(),
                Time = time,
                Drain = provider.GetRequiredService<NodeDrain>(),
                Sessions = provider.GetRequiredService<LiveSessions>(),
                LoggerFactory = loggers,
                Events = provider.GetRequiredService<EventRecorder>(),
                PreUpload = provider.GetRequiredService<PreUploadCheck>(),
                Metrics = metrics,
            };
            context.TransferFinished += metrics.TransferFinished;
            var readings = new SqlStoreReadings(provider.GetRequiredService<AccountDatabase>());
            GatehouseGauges.Register(metrics, context, provider.GetRequiredService<StoreReachability>(), new CachedReading<StoreReadings>(
                token => readings.ReadAsync(options.Metrics.PerUser, token), StoreReadings.None, TimeSpan.FromSeconds(options.Metrics.StoreReadSeconds), time));
            return context;
        });
        services.AddSingleton(provider => new RetentionRunner(
            provider.GetRequiredService<IAccountStore>(), provider.GetRequiredService<IAccessStore>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new StorageMaintenance(
            provider.GetRequiredService<IAccountStore>(), provider.GetRequiredService<IAccessStore>(), provider.GetRequiredService<IUsageStore>(),
            provider.GetRequiredService<RetentionRunner>(), provider.GetRequiredService<AuditTrail>(),
            (area, change, cancellationToken) => provider.GetRequiredService<QuotaLedgers>().RecordAsync(area, change, cancellationToken)));
        if (options.AccountStore.Provider == AccountStoreProvider.PostgreSql)
        {
            // Registered before the FTP server: it joins the cluster before the first session and leaves after the last.
            services.AddSingleton<IClusterStore>(provider => new SqlClusterStore(provider.GetRequiredService<AccountDatabase>(), provider.GetRequiredService<TimeProvider>()));
            services.AddSingleton(provider => new ClusterUserSessions(
                provider.GetRequiredService<IClusterStore>(), provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Cluster")));
            services.AddSingleton(provider => new ClusterPortSharing(
                provider.GetRequiredService<IClusterStore>(),
                provider.GetRequiredService<AccountDatabase>().Reachability,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.DataChannel")));
            services.AddHostedService(provider => new ClusterMembership(
                provider.GetRequiredService<IClusterStore>(),
                provider.GetRequiredService<ClusterUserSessions>(),
                provider.GetRequiredService<ClusterPortSharing>(),
                provider.GetRequiredService<FtpServerContext>(),
                HealthEndpoint.NodeName(options),
                provider.GetRequiredService<ILogger<ClusterMembership>>()));
        }

        services.AddHostedService(provider =>
        {
            var database = provider.GetRequiredService<AccountDatabase>();
            IStoreBacklog[] backlogs = options.AccountStore.Provider == AccountStoreProvider.PostgreSql
                ? [provider.GetRequiredService<BanList>(), provider.GetRequiredService<AccountThrottle>(), provider.GetRequiredService<ClusterUserSessions>(), provider.GetRequiredService<QuotaLedgers>(), provider.GetRequiredService<EventRecorder>(), provider.GetRequiredService<LoginAudit>()]
                : [provider.GetRequiredService<BanList>(), provider.GetRequiredService<AccountThrottle>(), provider.GetRequiredService<QuotaLedgers>(), provider.GetRequiredService<EventRecorder>(), provider.GetRequiredService<LoginAudit>()];
            return new StoreOutageMonitor(
                database.Reachability, database.Description, backlogs, token => database.ScalarAsync("SELECT 1", token),
                options.AccountStore.OfflineLoginHours, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<StoreOutageMonitor>>());
        });

        if (options.AccountStore.Provider == AccountStoreProvider.PostgreSql)
        {
            services.AddHostedService(provider => new OfflineLoginSyncService(
                new OfflineLoginSync(
                    provider.GetRequiredService<OfflineLogins>(), provider.GetRequiredService<IAccountStore>(),
                    provider.GetRequiredService<AccessPolicyResolver>(), provider.GetRequiredService<TimeProvider>()),
                provider.GetRequiredService<StoreReachability>(),
                TimeSpan.FromSeconds(options.AccountStore.OfflineLoginSyncSeconds),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<OfflineLoginSyncService>>()));
        }

        // Before the FTP server: usage left unsaved by a crash is counted again before the first session.
        services.AddHostedService<UploadRecoveryService>();
        services.AddHostedService<EventDeliveryService>();
        // Before the FTP server, so it stops after the last session: the login records still queued are written then.
        services.AddHostedService(provider => provider.GetRequiredService<LoginAudit>());
        services.AddHostedService<FtpServer>();
        services.AddHostedService<HealthEndpoint>();
        services.AddSingleton(provider => new AdminTls(
            options, settings, provider.GetRequiredService<FtpServerContext>().Tls, provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Admin"), provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService<AdminEndpoint>();
        services.AddHostedService<RetentionService>();
    }

    private static void AddEvents(IServiceCollection services, GatehouseOptions options)
    {
        services.AddSingleton<IEventStore>(provider => new SqlEventStore(provider.GetRequiredService<AccountDatabase>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => WebhookSender.CreateClient());
        if (options.AccountStore.Provider == AccountStoreProvider.Sqlite)
        {
            services.AddSingleton(provider => new EventJournal(
                new DataPaths(options.DataDirectory).EventJournal, provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Events")));
        }

        services.AddSingleton(provider => new EventRecorder(
            provider.GetRequiredService<IEventStore>(),
            new EventRuleSet(),
            HealthEndpoint.NodeName(options),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Events"),
            provider.GetRequiredService<GatehouseMetrics>(),
            provider.GetService<EventJournal>()));
        services.AddSingleton(provider => EventsSetup.UserFiles(
            provider.GetRequiredService<IAccountStore>(), provider.GetRequiredService<AccessPolicyResolver>(), provider.GetRequiredService<UserFileSystemFactory>()));
        services.AddSingleton(provider => EventsSetup.CreateRunner(
            options,
            provider.GetRequiredService<Func<string, CancellationToken, Task<Storage.IFileSystem?>>>(),
            provider.GetRequiredService<EventRecorder>().RaiseAsync,
            provider.GetRequiredService<HttpClient>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Events")));
        services.AddSingleton(provider => new PreUploadCheck(
            provider.GetRequiredService<EventRecorder>(),
            provider.GetRequiredService<RuleRunner>().Commands,
            EventsSetup.QuarantineDirectory(options),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Events")));
        services.AddSingleton(provider => new EventDispatcher(
            provider.GetRequiredService<IEventStore>(),
            provider.GetRequiredService<EventRecorder>(),
            new EventScheduler(
                provider.GetRequiredService<IEventStore>(),
                provider.GetRequiredService<EventRecorder>(),
                provider.GetRequiredService<Func<string, CancellationToken, Task<Storage.IFileSystem?>>>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Events")),
            provider.GetRequiredService<RuleRunner>(),
            EventsSetup.Backoff(options.Events),
            TimeSpan.FromDays(options.Events.KeepDeliveredDays),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Events"),
            provider.GetRequiredService<GatehouseMetrics>()));
    }

    private static TlsHolder CreateTls(GatehouseOptions options, DataPaths paths, IServiceProvider provider)
    {
        if (options.Tls.Policy == TlsPolicy.Disabled)
        {
            return new TlsHolder(null);
        }

        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Tls");
        var time = provider.GetRequiredService<TimeProvider>();
        string certificate;
        string? key;
        if (string.IsNullOrWhiteSpace(options.Tls.CertificateFile))
        {
            (certificate, key) = SelfSignedCertificate.Ensure(paths.Root, time);
            Log.SelfSignedCertificate(logger, certificate);
        }
        else
        {
            (certificate, key) = (options.Tls.CertificateFile, options.Tls.KeyFile);
        }

        return new TlsHolder(new TlsCertificateProvider(certificate, key, logger, time) { RequestClientCertificate = options.Tls.RequestClientCertificate });
    }

    private static BanPolicy BanPolicyFrom(BanOptions bans, NetworkList exempt) =>
        new(
            bans.Enabled,
            bans.Threshold,
            TimeSpan.FromSeconds(bans.WindowSeconds),
            TimeSpan.FromSeconds(bans.BanSeconds),
            TimeSpan.FromSeconds(bans.MaxBanSeconds),
            TimeSpan.FromHours(bans.OffenceMemoryHours),
            exempt);

    private static AccountThrottlePolicy AccountThrottlePolicyFrom(BanOptions bans) =>
        new(
            bans.Enabled && bans.AccountThrottling,
            bans.AccountFreeFailures,
            TimeSpan.FromSeconds(bans.AccountWindowSeconds),
            TimeSpan.FromMilliseconds(bans.AccountDelayMilliseconds),
            TimeSpan.FromSeconds(bans.AccountMaxDelaySeconds));

    /// <summary>Wraps the optional provider so the container can hold "no TLS" and still dispose a real one.</summary>
    private sealed class TlsHolder(TlsCertificateProvider? provider) : IDisposable
    {
        public TlsCertificateProvider? Provider { get; } = provider;

        public void Dispose() => Provider?.Dispose();
    }
}
