using System.CommandLine;
using Gatehouse.Hosting;

namespace Gatehouse.Cli;

internal static class CommonOptions
{
    public const int ConfigurationError = 2;

    public static Option<FileInfo?> Config() => new("--config", "-c")
    {
        Description = $"JSON configuration file (default: ./{GatehouseConfiguration.DefaultFile} when present, else {GatehouseConfiguration.InstalledFile} when present). GATEHOUSE_* environment variables override it.",
    };

    /// <summary>Loads configuration or prints every problem and returns null.</summary>
    public static GatehouseConfiguration? LoadOrReport(FileInfo? file)
    {
        var configuration = GatehouseConfiguration.Load(file);
        if (configuration.Options is not null)
        {
            return configuration;
        }

        Console.Error.WriteLine($"Configuration has {configuration.Problems.Count} problem(s){(configuration.File is null ? string.Empty : $" ({configuration.File})")}:");
        foreach (var problem in configuration.Problems)
        {
            Console.Error.WriteLine($"  - {problem}");
        }

        return null;
    }
}
