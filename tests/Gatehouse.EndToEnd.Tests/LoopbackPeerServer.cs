using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gatehouse.EndToEnd.Tests.Lab;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// vsftpd or ProFTPD on loopback, with TLS required for logins and data and each server's own rule that data connections
/// resume the control connection's TLS session (vsftpd's require_ssl_reuse=YES, ProFTPD's default), for the doctor's
/// tests against servers other than Gatehouse.
/// </summary>
public sealed class LoopbackPeerServer : IAsyncDisposable
{
    public static readonly PeerAccount Account = new("ghdoctorpeer", "doctor-Peer-Pass-2291");

    // Debian's vsftpd and proftpd-core conflict as packages, so scripts/test.sh unpacks ProFTPD here when vsftpd is installed.
    private static readonly string ProftpdRoot = File.Exists("/usr/sbin/proftpd") ? "/" : "/opt/proftpd-core";

    private readonly Process _process;
    private readonly string _directory;

    private LoopbackPeerServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"ftps://{Account.User}@127.0.0.1:{Port}";

    /// <summary>The server's own log, for a failed assertion's message.</summary>
    public string Log => string.Join("\n", Directory.GetFiles(_directory, "*.log").Select(File.ReadAllText));

    /// <param name="openSsl">
    /// Settings for vsftpd's OpenSSL (its system_default section), which vsftpd 3.0.3 has no setting for:
    /// "MaxProtocol = TLSv1.2", "NumTickets = 0".
    /// </param>
    /// <param name="localRoot">A folder vsftpd enters after login (local_root); one that does not exist makes it fail at login.</param>
    public static async Task<LoopbackPeerServer> StartVsftpdAsync(LabCertificate certificate, string[]? openSsl = null, string? localRoot = null)
    {
        var (directory, port, passive) = await PrepareAsync();
        Directory.CreateDirectory("/var/run/vsftpd/empty");
        var config = Path.Combine(directory, "vsftpd.conf");
        await File.WriteAllLinesAsync(config,
        [
            "listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1", $"listen_port={port}", "background=NO",
            "anonymous_enable=NO", "local_enable=YES", "write_enable=YES", "chroot_local_user=YES", "allow_writeable_chroot=YES",
            "pasv_enable=YES", $"pasv_min_port={passive}", $"pasv_max_port={passive + 9}",
            "ssl_enable=YES", "force_local_logins_ssl=YES", "force_local_data_ssl=YES", "require_ssl_reuse=YES",
            $"rsa_cert_file={certificate.CertificateFile}", $"rsa_private_key_file={certificate.KeyFile}",
            "pam_service_name=vsftpd", "secure_chroot_dir=/var/run/vsftpd/empty", "seccomp_sandbox=NO",
            "log_ftp_protocol=YES", $"vsftpd_log_file={Path.Combine(directory, "vsftpd.log")}",
            .. localRoot is null ? Array.Empty<string>() : [$"local_root={localRoot}"],
        ]);
        var start = Clients.StartInfo("/usr/sbin/vsftpd", [config]);
        if (openSsl is not null)
        {
            var file = Path.Combine(directory, "openssl.cnf");
            await File.WriteAllLinesAsync(file,
            [
                "openssl_conf = default_conf", "[default_conf]", "ssl_conf = ssl_section", "[ssl_section]",
                "system_default = system_default_section", "[system_default_section]", .. openSsl,
            ]);
            start.Environment["OPENSSL_CONF"] = file;
        }

        return await StartAsync(start, directory, port);
    }

    /// <param name="tlsProtocols">ProFTPD's TLSProtocol: "TLSv1.2 TLSv1.3", or "TLSv1.2" alone.</param>
    public static async Task<LoopbackPeerServer> StartProftpdAsync(LabCertificate certificate, string tlsProtocols = "TLSv1.2 TLSv1.3")
    {
        var (directory, port, passive) = await PrepareAsync();
        var config = Path.Combine(directory, "proftpd.conf");
        await File.WriteAllLinesAsync(config,
        [
            $"ModulePath {Path.Combine(ProftpdRoot, "usr/lib/proftpd")}", "LoadModule mod_tls.c",
            "ServerType standalone", "DefaultAddress 127.0.0.1", "SocketBindTight on", $"Port {port}", "UseIPv6 off",
            "User nobody", "Group nogroup", $"ScoreboardFile {Path.Combine(directory, "scoreboard")}", $"PidFile {Path.Combine(directory, "proftpd.pid")}",
            "DelayTable none", "WtmpLog off", "RequireValidShell off", "AuthOrder mod_auth_unix.c", "DefaultRoot ~",
            $"PassivePorts {passive} {passive + 9}",
            // TLSOptions without NoSessionReuseRequired: data connections must resume the control connection's session.
            "TLSEngine on", "TLSRequired on", $"TLSProtocol {tlsProtocols}", "TLSVerifyClient off",
            $"TLSRSACertificateFile {certificate.CertificateFile}", $"TLSRSACertificateKeyFile {certificate.KeyFile}",
            $"TLSLog {Path.Combine(directory, "tls.log")}", $"SystemLog {Path.Combine(directory, "system.log")}",
        ]);
        return await StartAsync(Clients.StartInfo(Path.Combine(ProftpdRoot, "usr/sbin/proftpd"), ["--nodaemon", "--config", config]), directory, port);
    }

    public async ValueTask DisposeAsync()
    {
        await Clients.KillAsync(_process);
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<(string Directory, int Port, int Passive)> PrepareAsync()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-peer-").FullName;
        // The account must be able to reach its home through this directory (temporary directories are 0700).
        Assert.Equal(0, (await Clients.RunAsync("chmod", ["711", directory])).ExitCode);
        var home = Path.Combine(directory, "home");
        Directory.CreateDirectory(home);
        await Account.UseHomeAsync(home);
        return (directory, FreePort(), FreePort());
    }

    private static async Task<LoopbackPeerServer> StartAsync(ProcessStartInfo start, string directory, int port)
    {
        var process = Process.Start(start)!;
        var server = new LoopbackPeerServer(process, directory, port);
        for (var attempt = 0; attempt < 100 && !process.HasExited; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        var error = process.HasExited ? await process.StandardError.ReadToEndAsync() : "(still running)";
        await server.DisposeAsync();
        Assert.Fail($"{start.FileName} did not start listening on {port}: {error}");
        return server;
    }

    /// <summary>A port nothing listens on now (the server binds it a moment later; passive ranges take the nine after it too).</summary>
    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
