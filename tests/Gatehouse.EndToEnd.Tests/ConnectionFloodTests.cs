using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Connections that never log in, against the real server on its default limits: a flood must not lock partners out,
/// the flooders are the ones banned, and a server that is merely full bans nobody.
/// </summary>
[Collection(LoadTestCollection.Name)]
public sealed class ConnectionFloodTests(ITestOutputHelper output)
{
    private const int FloodAddresses = 40;
    private const int ConnectionsPerAddress = 50;

    [Fact]
    public async Task A_partner_logs_in_and_uploads_during_a_flood_of_silent_connections_and_the_flooders_are_banned()
    {
        // Naming a Bans key keeps loopback from being exempt, as it is for the other tests.
        await using var server = await GatehouseServer.StartAsync(new() { ["Bans__Threshold"] = "10" });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var flooders = Enumerable.Range(1, FloodAddresses).Select(i => IPAddress.Parse($"127.0.1.{i}")).ToList();
        var attempts = new int[1];
        var flood = flooders.SelectMany(address => Enumerable.Range(0, ConnectionsPerAddress).Select(_ => HoldSilentlyAsync(server.ExplicitPort, address, attempts, stop.Token))).ToList();
        while (Volatile.Read(ref attempts[0]) < FloodAddresses * ConnectionsPerAddress)
        {
            await Task.Delay(100, stop.Token);
        }

        var upload = Path.Combine(server.DataDirectory, "order.csv");
        await File.WriteAllTextAsync(upload, "order,42\n");
        var timer = Stopwatch.StartNew();
        var (code, curl) = await Clients.RunAsync("curl",
        [
            "--silent", "--show-error", "--ssl-reqd", "--insecure", "--max-time", "30", "--interface", "127.0.2.1",
            "--user", $"alice:{GatehouseServer.Password}", "-T", upload, $"ftp://127.0.0.1:{server.ExplicitPort}/order.csv",
        ]);
        timer.Stop();
        Assert.True(code == 0, $"curl exit {code} after {timer.Elapsed.TotalSeconds:F1} s during the flood: {curl}\n{server.Output}");
        Assert.Equal("order,42\n", await File.ReadAllTextAsync(Path.Combine(server.Home("alice"), "order.csv")));

        // The target is 2 s; the bound is looser so a loaded test machine does not fail it.
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(8), $"The partner needed {timer.Elapsed.TotalSeconds:F1} s during the flood.");

        // Each connection a flooder holds until the (short, under pressure) login time-out, or that has to give way to a
        // newcomer, scores a point, as does each one over the per-address limit. A flooder whose connections all fell
        // into a full listen queue (the kernel completes them with SYN cookies, and a silent client never finds out)
        // never reached the server, so there is nothing to ban it for.
        var banTimer = Stopwatch.StartNew();
        List<IPAddress> reached, unbanned;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            reached = flooders.Where(flooder => Said(server, flooder)).ToList();
            unbanned = reached.Where(flooder => !server.Output.Contains($"Banned {flooder} until", StringComparison.Ordinal)).ToList();
        }
        while ((unbanned.Count > 0 || reached.Count < FloodAddresses && banTimer.Elapsed < TimeSpan.FromSeconds(30)) && banTimer.Elapsed < TimeSpan.FromSeconds(90));

        Assert.True(reached.Count >= FloodAddresses / 2, $"Only {reached.Count} flooding addresses reached the server.");
        Assert.True(unbanned.Count == 0, $"Not banned after {banTimer.Elapsed.TotalSeconds:F0} s: {string.Join(", ", unbanned)}; the last of what the server said of the first:\n" +
            string.Join('\n', server.Output.Split('\n').Where(line => unbanned.Count > 0 && line.Contains($"{unbanned[0]}:", StringComparison.Ordinal)).TakeLast(30)));

        output.WriteLine($"{Volatile.Read(ref attempts[0])} flood connections; the partner's login and upload took {timer.Elapsed.TotalSeconds:F2} s; the {reached.Count} flooding addresses that reached the server were all banned {banTimer.Elapsed.TotalSeconds:F1} s later.");
        foreach (var flooder in reached)
        {
            using var again = await RawControl.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.ExplicitPort), flooder);
            Assert.StartsWith("421 Too many failed logins or protocol errors from your address", await again.ReadReplyAsync(), StringComparison.Ordinal);
        }

        await stop.CancelAsync();
        await Task.WhenAll(flood);
        var (_, bans) = await server.RunCliAsync(null, "ban", "list");
        Assert.DoesNotContain("127.0.2.1", bans, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_meets_a_full_server_is_refused_but_never_banned()
    {
        await using var server = await GatehouseServer.StartAsync(new()
        {
            ["Bans__Threshold"] = "3",
            ["Limits__MaxSessions"] = "2",
            ["Limits__MaxUnauthenticatedSessions"] = "2",
        });
        var control = new IPEndPoint(IPAddress.Loopback, server.ExplicitPort);
        var partners = new List<RawControl>();
        foreach (var address in new[] { "127.0.3.1", "127.0.3.2" })
        {
            var partner = await RawControl.ConnectAsync(control, IPAddress.Parse(address));
            Assert.StartsWith("220", await partner.ReadReplyAsync(), StringComparison.Ordinal);
            partners.Add(partner);
        }

        for (var i = 0; i < 6; i++)
        {
            using var retry = await RawControl.ConnectAsync(control, IPAddress.Parse("127.0.3.3"));
            Assert.StartsWith("421 The server is at its limit of 2 sessions", await retry.ReadReplyAsync(), StringComparison.Ordinal);
        }

        partners.ForEach(partner => partner.Dispose());
        Assert.StartsWith("230", (await FtpSteps.RunAsync(server, "alice", [], source: "127.0.3.3")).Login, StringComparison.Ordinal);
        Assert.DoesNotContain("Banned 127.0.3.3", server.Output, StringComparison.Ordinal);
    }

    private static bool Said(GatehouseServer server, IPAddress client) =>
        server.Output.Contains($"client={client}:", StringComparison.Ordinal) || server.Output.Contains($"Connection from {client} ", StringComparison.Ordinal);

    /// <summary>Connects from <paramref name="from"/>, sends nothing, and connects again whenever the server closes the connection.</summary>
    private static async Task HoldSilentlyAsync(int port, IPAddress from, int[] attempts, CancellationToken stop)
    {
        var buffer = new byte[1024];
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                Interlocked.Increment(ref attempts[0]);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), stop);

                // A connection the kernel completed while the listen queue was full never reaches the server, and a
                // silent client would never find out: without the greeting (or a 421) soon, connect again.
                using var greeting = CancellationTokenSource.CreateLinkedTokenSource(stop);
                greeting.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    if (await socket.ReceiveAsync(buffer, SocketFlags.None, greeting.Token) == 0)
                    {
                        continue;
                    }
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    continue;
                }

                while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop) > 0)
                {
                }
            }
            catch (SocketException)
            {
                // Refused or reset: try again.
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
