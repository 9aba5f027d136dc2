using System.Diagnostics;
using System.DirectoryServices.Protocols;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// A real OpenLDAP server (Debian slapd) on loopback, configured from scratch in a temporary directory: plain LDAP with
/// StartTLS and LDAPS on ports of its own, a self-signed certificate, and simple binds refused without TLS.
/// </summary>
public sealed class Slapd : IAsyncDisposable
{
    public const string Suffix = "dc=example,dc=org";
    public const string People = "ou=people," + Suffix;
    public const string Groups = "ou=groups," + Suffix;
    public const string AdminDn = "cn=admin," + Suffix;
    public const string AdminPassword = "Directory-Admin-Secret-42";

    private readonly string _directory;
    private readonly Process _process;
    private readonly List<string> _output = [];

    private Slapd(string directory, int port, int ldapsPort, Process process)
    {
        _directory = directory;
        Port = port;
        LdapsPort = ldapsPort;
        _process = process;
    }

    public int Port { get; }

    public int LdapsPort { get; }

    public string CaDirectory => Path.Combine(_directory, "ca");

    public static string UserDn(string uid) => $"uid={uid},{People}";

    public static string GroupDn(string cn) => $"cn={cn},{Groups}";

    /// <param name="users">uid and password of each person.</param>
    /// <param name="groups">cn and member uids of each groupOfNames.</param>
    public static async Task<Slapd> StartAsync((string Uid, string Password)[] users, (string Cn, string[] Members)[] groups)
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-slapd-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "db"));
        await WriteCertificateAsync(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "slapd.conf"), Configuration(directory));
        await File.WriteAllTextAsync(Path.Combine(directory, "data.ldif"), Ldif(users, groups));
        var (code, output) = await Clients.RunAsync("/usr/sbin/slapadd", ["-f", Path.Combine(directory, "slapd.conf"), "-l", Path.Combine(directory, "data.ldif")], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"slapadd failed: {output}");

        var port = GatehouseServer.FreePort();
        var ldapsPort = GatehouseServer.FreePort();
        var info = new ProcessStartInfo("/usr/sbin/slapd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-f", Path.Combine(directory, "slapd.conf"), "-h", $"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{ldapsPort}/", "-d", "stats" })
        {
            info.ArgumentList.Add(argument);
        }

        var slapd = new Slapd(directory, port, ldapsPort, Process.Start(info)!);
        slapd._process.OutputDataReceived += (_, e) => slapd.Collect(e.Data);
        slapd._process.ErrorDataReceived += (_, e) => slapd.Collect(e.Data);
        slapd._process.BeginOutputReadLine();
        slapd._process.BeginErrorReadLine();
        try
        {
            await slapd.WaitUntilListeningAsync();
        }
        catch
        {
            await slapd.DisposeAsync();
            throw;
        }

        return slapd;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Server settings for a directory reached over StartTLS with the admin as service account and groups found by search.</summary>
    public Dictionary<string, string> SearchThenBindSettings(params (string DirectoryGroup, string Group)[] mappings)
    {
        var settings = Settings(Port, "StartTls", mappings);
        settings["Ldap__BindDn"] = AdminDn;
        settings["Ldap__BindPassword"] = AdminPassword;
        settings["Ldap__UserSearchBase"] = People;
        return settings;
    }

    /// <summary>Server settings for a directory reached over LDAPS, binding directly as the user.</summary>
    public Dictionary<string, string> DirectBindSettings(params (string DirectoryGroup, string Group)[] mappings)
    {
        var settings = Settings(LdapsPort, "Ldaps", mappings);
        settings["Ldap__UserDnTemplate"] = $"uid={{0}},{People}";
        return settings;
    }

    private Dictionary<string, string> Settings(int port, string security, (string DirectoryGroup, string Group)[] mappings)
    {
        var settings = new Dictionary<string, string>
        {
            ["Ldap__Enabled"] = "true",
            ["Ldap__Server"] = "127.0.0.1",
            ["Ldap__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ldap__Security"] = security,
            ["Ldap__TrustedCertificatesDirectory"] = CaDirectory,
            ["Ldap__GroupSearchBase"] = Groups,
        };
        for (var i = 0; i < mappings.Length; i++)
        {
            settings[$"Ldap__GroupMappings__{i}__DirectoryGroup"] = mappings[i].DirectoryGroup;
            settings[$"Ldap__GroupMappings__{i}__Group"] = mappings[i].Group;
        }

        return settings;
    }

    /// <summary>Changes a group's members as the directory administrator would (over LDAPS).</summary>
    public async Task SetMembersAsync(string cn, params string[] uids)
    {
        await Task.Run(() =>
        {
            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("The slapd fixture runs on Linux only.");
            }

            using var connection = new LdapConnection(new LdapDirectoryIdentifier("127.0.0.1", LdapsPort)) { AuthType = AuthType.Basic, Timeout = TimeSpan.FromSeconds(10) };
            connection.SessionOptions.ProtocolVersion = 3;
            connection.SessionOptions.TrustedCertificatesDirectory = CaDirectory;
            connection.SessionOptions.StartNewTlsSessionContext();
            connection.SessionOptions.SecureSocketLayer = true;
            connection.Bind(new NetworkCredential(AdminDn, AdminPassword));
            var members = uids.Length == 0 ? [AdminDn] : uids.Select(UserDn).ToArray();
            connection.SendRequest(new ModifyRequest(GroupDn(cn), DirectoryAttributeOperation.Replace, "member", members));
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Clients.KillAsync(_process);
        Directory.Delete(_directory, recursive: true);
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"slapd exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, LdapsPort);
                using var plain = new TcpClient();
                await plain.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"slapd did not listen within 20 s:\n{Output}");
    }

    private static async Task WriteCertificateAsync(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificateFile = Path.Combine(directory, "server.crt");
        await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(directory, "server.key"), key.ExportPkcs8PrivateKeyPem());

        // libldap finds trusted CAs in a directory by OpenSSL subject hash.
        var (code, hash) = await Clients.RunAsync("openssl", ["x509", "-hash", "-noout", "-in", certificateFile], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"openssl x509 -hash failed: {hash}");
        var ca = Directory.CreateDirectory(Path.Combine(directory, "ca")).FullName;
        File.Copy(certificateFile, Path.Combine(ca, hash.Trim() + ".0"));
    }

    private static string Configuration(string directory) => $"""
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/inetorgperson.schema
        modulepath /usr/lib/ldap
        moduleload back_mdb
        pidfile {directory}/slapd.pid
        TLSCertificateFile {directory}/server.crt
        TLSCertificateKeyFile {directory}/server.key
        security simple_bind=128
        database mdb
        maxsize 10485760
        suffix "{Suffix}"
        rootdn "{AdminDn}"
        rootpw {AdminPassword}
        directory {directory}/db
        access to attrs=userPassword by anonymous auth by * none
        access to * by users read by * none

        """;

    private static string Ldif((string Uid, string Password)[] users, (string Cn, string[] Members)[] groups)
    {
        var ldif = new System.Text.StringBuilder($"""
            dn: {Suffix}
            objectClass: dcObject
            objectClass: organization
            o: Example
            dc: example

            dn: {People}
            objectClass: organizationalUnit
            ou: people

            dn: {Groups}
            objectClass: organizationalUnit
            ou: groups


            """);
        foreach (var (uid, password) in users)
        {
            ldif.Append($"""
                dn: {UserDn(uid)}
                objectClass: inetOrgPerson
                uid: {uid}
                cn: {uid}
                sn: {uid}
                userPassword: {password}


                """);
        }

        foreach (var (cn, members) in groups)
        {
            ldif.Append($"dn: {GroupDn(cn)}\nobjectClass: groupOfNames\ncn: {cn}\n");
            foreach (var member in members.Length == 0 ? [AdminDn] : members.Select(UserDn))
            {
                ldif.Append($"member: {member}\n");
            }

            ldif.Append('\n');
        }

        return ldif.ToString();
    }
}
