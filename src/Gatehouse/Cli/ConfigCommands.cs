using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Tls;

namespace Gatehouse.Cli;

internal static class ConfigCommands
{
    /// <summary>Exit status of `config check --strict` when the configuration is valid but has warnings.</summary>
    public const int WarningsFound = 1;

    public static Command Create()
    {
        var config = CommonOptions.Config();
        var strict = new Option<bool>("--strict") { Description = "Exit non-zero when there are warnings, not only problems." };
        var check = new Command(
            "check",
            "Validate the configuration (exit non-zero listing every problem with its key and fix), then warn about settings that will hurt on this machine's network.")
        {
            config, strict,
        };
        check.SetAction(parse =>
        {
            var configuration = CommonOptions.LoadOrReport(parse.GetValue(config));
            if (configuration is not { Options: { } options, Settings: { } settings })
            {
                return CommonOptions.ConfigurationError;
            }

            X509Certificate2? certificate = null;
            if (options.Tls.Policy != TlsPolicy.Disabled && !string.IsNullOrWhiteSpace(options.Tls.CertificateFile))
            {
                try
                {
                    certificate = TlsCertificateProvider.Load(options.Tls.CertificateFile, options.Tls.KeyFile).TargetCertificate;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException or ArgumentException)
                {
                    Console.Error.WriteLine("Configuration has 1 problem(s):");
                    Console.Error.WriteLine($"  - Tls:CertificateFile: cannot load the certificate and key ({ex.Message}); give PEM files (certificate, and key in Tls:KeyFile).");
                    return CommonOptions.ConfigurationError;
                }
            }

            using (certificate)
            {
                Console.WriteLine($"Configuration is valid{(configuration.File is null ? " (embedded defaults and environment)" : $" ({configuration.File})")}.");
                Console.WriteLine($"  explicit port {options.Ftp.ExplicitPort}, implicit port {options.Ftp.ImplicitPort}, passive ports {options.Ftp.PassivePorts}, TLS policy {options.Tls.Policy}");
                var warnings = DeploymentChecks.Warnings(options, settings, DeploymentFacts.FromThisMachine(settings, certificate, DateTimeOffset.UtcNow));
                if (warnings.Count == 0)
                {
                    return 0;
                }

                Console.WriteLine($"{warnings.Count} warning(s) for this machine's network:");
                foreach (var warning in warnings)
                {
                    Console.WriteLine($"  - {warning}");
                }

                return parse.GetValue(strict) ? WarningsFound : 0;
            }
        });
        var command = new Command("config", "Work with the configuration.");
        command.Add(check);
        return command;
    }
}
