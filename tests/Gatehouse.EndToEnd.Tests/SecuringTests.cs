using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Trusted networks at connect, brute-force bans and client certificates, against the real server.</summary>
public sealed class SecuringTests
{
    [Fact]
    public async Task A_banned_address_is_refused_at_connect_listed_by_the_cli_and_let_in_after_expiry()
    {
        await using var server = await GatehouseServer.StartAsync(new()
        {
            ["Bans__Threshold"] = "4",
            ["Bans__BanSeconds"] = "4",
            ["Bans__ExemptNetworks__0"] = "127.0.0.9/32",
        });

        var first = await FtpSteps.RunAsync(server, "alice", [], password: "guess-1", source: "127.0.0.7");
        var second = await FtpSteps.RunAsync(server, "alice", [], password: "guess-2", source: "127.0.0.7");
        Assert.Equal("530 Login incorrect.", first.Login);
        Assert.StartsWith("421 Too many failed logins", second.Login, StringComparison.Ordinal);

        using (var refused = await RawControl.ConnectAsync(Control(server), IPAddress.Parse("127.0.0.7")))
        {
            Assert.StartsWith("421 Too many failed logins", await refused.ReadReplyAsync(), StringComparison.Ordinal);
        }

        var (_, list) = await server.RunCliAsync(null, "ban", "list");
        Assert.Contains("127.0.0.7", list, StringComparison.Ordinal);
        Assert.Contains("FailedLogin: user 'alice': wrong password", list, StringComparison.Ordinal);
        Assert.Contains("Banned 127.0.0.7 until", server.Output, StringComparison.Ordinal);
        Assert.Contains("Connection from 127.0.0.7 refused: banned until", server.Output, StringComparison.Ordinal);

        // Other addresses and exempt networks are unaffected.
        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [], source: "127.0.0.8")).Login, StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("530 Login incorrect.", (await FtpSteps.RunAsync(server, "alice", [], password: "wrong", source: "127.0.0.9")).Login);
        }

        await Task.Delay(TimeSpan.FromSeconds(4.5));
        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [], source: "127.0.0.7")).Login, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bans_grow_on_repeat_offences_and_the_cli_lifts_them_within_seconds()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Bans__Threshold"] = "2", ["Bans__BanSeconds"] = "600" });
        await FtpSteps.RunAsync(server, "alice", [], password: "wrong", source: "127.0.0.6");
        using (var refused = await RawControl.ConnectAsync(Control(server), IPAddress.Parse("127.0.0.6")))
        {
            Assert.StartsWith("421", await refused.ReadReplyAsync(), StringComparison.Ordinal);
        }

        var (code, removed) = await server.RunCliAsync(null, "ban", "remove", "127.0.0.6");
        Assert.True(code == 0, removed);
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [], source: "127.0.0.6")).Login, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protocol_garbage_before_login_earns_a_ban()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Bans__Threshold"] = "3" });
        using var client = await RawControl.ConnectAsync(Control(server), IPAddress.Parse("127.0.0.5"));
        await client.ReadReplyAsync();
        Assert.StartsWith("530", await client.CommandAsync("LIST"), StringComparison.Ordinal);
        Assert.StartsWith("502", await client.CommandAsync("XYZW EXEC"), StringComparison.Ordinal);
        Assert.StartsWith("421 Too many failed logins or protocol errors", await client.CommandAsync("RETR /etc/passwd"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_over_the_per_address_limit_score_towards_a_ban()
    {
        await using var server = await GatehouseServer.StartAsync(new() { ["Bans__Threshold"] = "2", ["Limits__MaxSessionsPerIp"] = "1" });
        var source = IPAddress.Parse("127.0.0.4");
        using var held = await RawControl.ConnectAsync(Control(server), source);
        Assert.StartsWith("220", await held.ReadReplyAsync(), StringComparison.Ordinal);
        for (var i = 0; i < 2; i++)
        {
            using var extra = await RawControl.ConnectAsync(Control(server), source);
            Assert.StartsWith("421", await extra.ReadReplyAsync(), StringComparison.Ordinal);
        }

        Assert.True(await server.WaitForLogAsync("Banned 127.0.0.4 until", TimeSpan.FromSeconds(5)), server.Output);
        var (_, list) = await server.RunCliAsync(null, "ban", "list");
        Assert.Contains("TooManyConnections", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Global_trusted_networks_refuse_other_addresses_at_connect()
    {
        await using var server = await GatehouseServer.StartAsync(new()
        {
            ["Access__AllowedNetworks__0"] = "127.0.0.0/29",
            ["Access__DeniedNetworks__0"] = "127.0.0.4",
        });
        using (var outside = await RawControl.ConnectAsync(Control(server), IPAddress.Parse("127.0.0.20")))
        {
            Assert.Equal("421 Service not available for your address.", await outside.ReadReplyAsync());
        }

        using (var denied = await RawControl.ConnectAsync(Control(server), IPAddress.Parse("127.0.0.4")))
        {
            Assert.Equal("421 Service not available for your address.", await denied.ReadReplyAsync());
        }

        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [], source: "127.0.0.2")).Login, StringComparison.Ordinal);
        Assert.Contains("Connection from 127.0.0.20 refused: 127.0.0.20 is not in the allowed networks (127.0.0.0/29)", server.Output, StringComparison.Ordinal);
        Assert.Contains("Connection from 127.0.0.4 refused: 127.0.0.4 is in a denied network (127.0.0.4/32)", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_with_a_client_certificate_setting_must_present_that_certificate()
    {
        await using var server = await GatehouseServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("gatehouse-client-cert-").FullName;
        try
        {
            var (partnerCert, partnerKey, partnerPrint) = WriteClientCertificate(directory, "partner");
            var (otherCert, otherKey, _) = WriteClientCertificate(directory, "other");
            await server.CliAsync("user", "set", "alice", "--client-certificate", partnerPrint);

            var none = await FtpSteps.RunAsync(server, "alice", []);
            var wrong = await FtpSteps.RunAsync(server, "alice", [], extra: ["--cert", otherCert, "--key", otherKey]);
            var right = await FtpSteps.RunAsync(server, "alice", ["nlst /"], extra: ["--cert", partnerCert, "--key", partnerKey]);

            Assert.Equal("530 Login incorrect.", none.Login);
            Assert.Equal("530 Login incorrect.", wrong.Login);
            Assert.StartsWith("230", right.Login, StringComparison.Ordinal);
            Assert.StartsWith("226", right["nlst /"], StringComparison.Ordinal);
            Assert.Contains("the account requires a client certificate and none was presented", server.Output, StringComparison.Ordinal);
            Assert.Contains("is not one of the account's (user alice)", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IPEndPoint Control(GatehouseServer server) => new(IPAddress.Loopback, server.ExplicitPort);

    private static (string Certificate, string Key, string Fingerprint) WriteClientCertificate(string directory, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }
}
