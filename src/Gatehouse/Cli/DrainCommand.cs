using System.CommandLine;
using System.Diagnostics;
using Gatehouse.Hosting;

namespace Gatehouse.Cli;

/// <summary>gatehouse drain: take this node out of service without cutting anyone off.</summary>
internal static class DrainCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var wait = new Option<bool>("--wait") { Description = "Wait until the server has stopped (its last session ended or Cluster:DrainTimeoutSeconds passed)." };
        var command = new Command(
            "drain",
            "Take the running server out of service: new sessions get 421 and the health check answers 503, so the balancer sends clients to other nodes; running sessions and transfers go on, and the server stops when the last one ends. Same as sending it SIGUSR1.")
        {
            config, wait,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CommonOptions.LoadOrReport(parse.GetValue(config));
            if (configuration?.Options is not { } options)
            {
                return CommonOptions.ConfigurationError;
            }

            var paths = new DataPaths(options.DataDirectory);
            if (NodeControl.FindServer(paths, out var reason) is not { } pid)
            {
                return CliStore.Fail($"Cannot drain: {reason}.");
            }

            if (NodeControl.SendDrainSignal(pid) is { } failure)
            {
                return CliStore.Fail($"Cannot drain: {failure}.");
            }

            Console.WriteLine($"Server {HealthEndpoint.NodeName(options)} (process {pid}) is draining: new sessions get 421{(options.Cluster.HealthPort == 0 ? string.Empty : $", GET /health on port {options.Cluster.HealthPort} answers 503")}; it stops when its running sessions end (at most {options.Cluster.DrainTimeoutSeconds}s).");
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            var waited = Stopwatch.StartNew();
            while (NodeControl.IsRunning(pid))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }

            Console.WriteLine($"Server stopped after {waited.Elapsed.TotalSeconds:0.0}s.");
            return 0;
        });
        return command;
    }
}
