using Gatehouse.Protocol.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Hosting;

/// <summary>
/// Configuration sources, in order of precedence: GATEHOUSE_* environment variables over the JSON file
/// (--config, else ./gatehouse.json when present, else the installed /etc/gatehouse/gatehouse.json when present) over
/// the embedded defaults of the options classes.
/// </summary>
public sealed class GatehouseConfiguration
{
    public const string DefaultFile = "gatehouse.json";
    public const string EnvironmentPrefix = "GATEHOUSE_";

    /// <summary>Where the Debian package installs the configuration, so <c>sudo gatehouse user add</c> works from any directory.</summary>
    public const string InstalledFile = "/etc/gatehouse/gatehouse.json";

    private GatehouseConfiguration(IConfigurationRoot root, GatehouseOptions? options, ValidatedSettings? settings, IReadOnlyList<string> problems, string? file)
    {
        Root = root;
        Options = options;
        Settings = settings;
        Problems = problems;
        File = file;
    }

    public IConfigurationRoot Root { get; }

    /// <summary>Null when there are problems.</summary>
    public GatehouseOptions? Options { get; }

    /// <summary>The values of <see cref="Options"/> that are used parsed; null when there are problems.</summary>
    public ValidatedSettings? Settings { get; }

    public IReadOnlyList<string> Problems { get; }

    public string? File { get; }

    public static GatehouseConfiguration Load(FileInfo? configFile)
    {
        var path = configFile?.FullName ?? DefaultPath();
        if (configFile is not null && !configFile.Exists)
        {
            return Failed(path, $"--config: file '{configFile.FullName}' does not exist; give the path of a JSON configuration file.");
        }

        var builder = new ConfigurationBuilder();
        if (path is not null)
        {
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException)
        {
            return Failed(path, $"{path}: not valid JSON ({ex.InnerException?.Message ?? ex.Message}); fix the syntax.");
        }

        // Keys with unknown names or wrong types are reported and left out, so the rest can still be bound
        // and checked: one run of "config check" lists every problem.
        var problems = ConfigurationKeys.Check(root, out var usable).ToList();
        var options = new GatehouseOptions();
        usable.Bind(options);
        problems.AddRange(GatehouseOptionsValidator.Validate(options, out var settings));
        var valid = problems.Count == 0;
        return new GatehouseConfiguration(root, valid ? options : null, valid ? settings : null, problems, path);
    }

    private static string? DefaultPath() =>
        System.IO.File.Exists(DefaultFile) ? Path.GetFullPath(DefaultFile)
        : System.IO.File.Exists(InstalledFile) ? InstalledFile
        : null;

    private static GatehouseConfiguration Failed(string? path, string problem) =>
        new(new ConfigurationBuilder().Build(), null, null, [problem], path);
}
