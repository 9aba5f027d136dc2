using System.CommandLine;
using System.Runtime.InteropServices;
using Gatehouse.Accounts;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gatehouse.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var command = new Command("serve", "Run the server in the foreground until SIGINT/SIGTERM, then stop gracefully.") { config };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(config), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo? configFile, CancellationToken cancellationToken)
    {
        var configuration = CommonOptions.LoadOrReport(configFile);
        if (configuration?.Options is not { } options)
        {
            return CommonOptions.ConfigurationError;
        }

        // Before anything else (the demo account, the certificate, joining a cluster): a port another process holds is one clear message.
        if (ListenPorts.FirstUnavailable(ListenPorts.All(options, configuration.Settings!)) is { } refusal)
        {
            return await CouldNotStartAsync(refusal).ConfigureAwait(false);
        }

        Directory.CreateDirectory(new DataPaths(options.DataDirectory).Root);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = Directory.GetCurrentDirectory() });
        // The admin listener's framework logs every request at Information; its own refusals are logged by Gatehouse.Admin
        // (before the configuration, whose Logging section may say otherwise).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddConfiguration(configuration.Root.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddSimpleConsole(console =>
        {
            console.IncludeScopes = true;
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        // Under systemd (Type=notify): READY=1 once listening, STOPPING=1 on SIGTERM, and journal priorities instead of the
        // console's format. Elsewhere it does nothing.
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(options.Limits.ShutdownGraceSeconds + 15));
        builder.Services.AddGatehouseServer(options, configuration.Settings!);
        using var host = builder.Build();
        var drain = host.Services.GetRequiredService<NodeDrain>();
        using var drainSignal = PosixSignalRegistration.Create(NodeControl.DrainSignal, signal =>
        {
            // SIGUSR1 would otherwise end the process.
            signal.Cancel = true;
            drain.Begin();
        });
        try
        {
            // Opened before the pid file is written: it refuses a second server on this data directory, which must not
            // take the pid file over from the running one.
            host.Services.GetService<EventJournal>();
        }
        catch (InvalidOperationException ex)
        {
            return await CouldNotStartAsync(ex.Message).ConfigureAwait(false);
        }

        using var pidFile = NodeControl.WritePidFile(new DataPaths(options.DataDirectory));
        try
        {
            await FirstRun.EnsureDemoUserAsync(
                host.Services.GetRequiredService<IAccountStore>(),
                host.Services.GetRequiredService<PasswordHashing>(),
                options,
                Console.Out,
                cancellationToken).ConfigureAwait(false);
            await host.RunAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return await CouldNotStartAsync(ex.Message).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<int> CouldNotStartAsync(string reason)
    {
        await Console.Error.WriteLineAsync($"Gatehouse could not start: {reason}").ConfigureAwait(false);
        return 1;
    }
}
