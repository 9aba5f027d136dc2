using System.CommandLine;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Tls;

namespace Gatehouse.Cli;

internal static class ConfigCommands
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var check = new Command("check", "Validate the configuration; exit non-zero listing every problem with its key and fix.") { config };
        check.SetAction(parse =>
        {
            var configuration = CommonOptions.LoadOrReport(parse.GetValue(config));
            if (configuration?.Options is not { } options)
            {
                return CommonOptions.ConfigurationError;
            }

            if (options.Tls.Policy != TlsPolicy.Disabled && !string.IsNullOrWhiteSpace(options.Tls.CertificateFile))
            {
                try
                {
                    using var certificate = TlsCertificateProvider.Load(options.Tls.CertificateFile, options.Tls.KeyFile).TargetCertificate;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException or ArgumentException)
                {
                    Console.Error.WriteLine("Configuration has 1 problem(s):");
                    Console.Error.WriteLine($"  - Tls:CertificateFile: cannot load the certificate and key ({ex.Message}); give PEM files (certificate, and key in Tls:KeyFile).");
                    return CommonOptions.ConfigurationError;
                }
            }

            Console.WriteLine($"Configuration is valid{(configuration.File is null ? " (embedded defaults and environment)" : $" ({configuration.File})")}.");
            Console.WriteLine($"  explicit port {options.Ftp.ExplicitPort}, implicit port {options.Ftp.ImplicitPort}, passive ports {options.Ftp.PassivePorts}, TLS policy {options.Tls.Policy}");
            return 0;
        });
        var command = new Command("config", "Work with the configuration.");
        command.Add(check);
        return command;
    }
}
