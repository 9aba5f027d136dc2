using System.Diagnostics;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// vsftpd (Debian's package) as the peer the lab compares Gatehouse with, set up the way its manual page
/// recommends for FTPS behind NAT: TLS forced for logins and data, the passive range pinned and, behind a NAT router,
/// pasv_address set to the public address. It authenticates a system account (PAM), created once per machine.
/// </summary>
public sealed class VsftpdServer : IAsyncDisposable
{
    public const string User = "ghlabpeer";
    public const string Password = "peer-lab-Pass-5731";
    private readonly Process _process;
    private readonly string _directory;

    private VsftpdServer(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : string.Empty;

    private string LogFile => Path.Combine(_directory, "vsftpd.log");

    public LabTarget Target(string address, LabCertificate certificate) => new(address, certificate, User, Password, () => Log);

    public static async Task<VsftpdServer> StartAsync(LabHost host, LabCertificate certificate, string? passiveAddress = null)
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-lab-vsftpd-").FullName;
        // The account must be able to reach its home through this directory (temporary directories are 0700).
        await NetworkLab.RunAsync("chmod", "711", directory);
        var home = Path.Combine(directory, "home");
        Directory.CreateDirectory(home);
        await new PeerAccount(User, Password).UseHomeAsync(home);
        Directory.CreateDirectory("/var/run/vsftpd/empty");
        var config = Path.Combine(directory, "vsftpd.conf");
        string[] lines =
        [
            "listen=YES", "listen_ipv6=NO", $"listen_port={LabFtp.ControlPort}", "background=NO",
            "anonymous_enable=NO", "local_enable=YES", "write_enable=YES", "chroot_local_user=YES", "allow_writeable_chroot=YES",
            "pasv_enable=YES", "pasv_min_port=50000", "pasv_max_port=50019",
            "ssl_enable=YES", "force_local_logins_ssl=YES", "force_local_data_ssl=YES",
            $"rsa_cert_file={certificate.CertificateFile}", $"rsa_private_key_file={certificate.KeyFile}",
            // The same 15 s Gatehouse gives an active-mode connection (vsftpd's default is 60 s).
            "connect_timeout=15",
            "pam_service_name=vsftpd", "secure_chroot_dir=/var/run/vsftpd/empty", "seccomp_sandbox=NO",
            "log_ftp_protocol=YES", $"vsftpd_log_file={Path.Combine(directory, "vsftpd.log")}",
            .. passiveAddress is null ? Array.Empty<string>() : [$"pasv_address={passiveAddress}"],
        ];
        await File.WriteAllLinesAsync(config, lines);
        var process = Process.Start(Clients.StartInfo("/usr/sbin/vsftpd", [config], host.Namespace))!;
        var server = new VsftpdServer(process, directory);
        if (!await host.WaitForListenerAsync(LabFtp.ControlPort, () => process.HasExited))
        {
            var error = process.HasExited ? await process.StandardError.ReadToEndAsync() : "(still running)";
            await server.DisposeAsync();
            Assert.Fail($"vsftpd did not start listening: {error}");
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await Clients.KillAsync(_process);
        Directory.Delete(_directory, recursive: true);
    }
}
