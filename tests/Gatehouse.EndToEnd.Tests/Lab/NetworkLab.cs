using System.Diagnostics;
using System.Globalization;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>
/// A network built from Linux network namespaces, veth links and nftables, for one test. Every namespace is named
/// "ghlab-PID-N-role", so one left by a test process that crashed is found and removed by the next lab. Nothing is
/// ever routed out of the namespaces: they have no link to the host's network.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    private const string Prefix = "ghlab-";
    private static int _labCounter;
    private readonly List<LabHost> _hosts = [];
    private readonly int _id = Interlocked.Increment(ref _labCounter);

    private NetworkLab()
    {
    }

    public static async Task<NetworkLab> CreateAsync()
    {
        if (Environment.UserName != "root")
        {
            Assert.Fail("The network lab creates network namespaces and needs root (CI runs as root).");
        }

        await RemoveOrphansAsync();
        return new NetworkLab();
    }

    /// <summary>A machine: a namespace with its loopback up.</summary>
    public async Task<LabHost> AddHostAsync(string role)
    {
        var host = new LabHost(role, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{_id}-{role}"));
        await RunAsync("ip", "netns", "add", host.Namespace);
        _hosts.Add(host);
        await host.IpAsync("link", "set", "lo", "up");
        return host;
    }

    /// <summary>A cable between two hosts; each end is named after the host it leads to and gets the given addresses (CIDR).</summary>
    public static async Task LinkAsync(LabHost a, string[] aAddresses, LabHost b, string[] bAddresses)
    {
        var aEnd = InterfaceName(b.Role);
        var bEnd = InterfaceName(a.Role);
        await RunAsync("ip", "link", "add", aEnd, "netns", a.Namespace, "type", "veth", "peer", "name", bEnd, "netns", b.Namespace);
        await ConfigureAsync(a, aEnd, aAddresses);
        await ConfigureAsync(b, bEnd, bAddresses);
    }

    public static Task LinkAsync(LabHost a, string aAddress, LabHost b, string bAddress) => LinkAsync(a, [aAddress], b, [bAddress]);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await DeleteAsync(host.Namespace);
        }

        _hosts.Clear();
    }

    /// <summary>The interface in a host that leads to <paramref name="peerRole"/> (interface names hold at most 15 bytes).</summary>
    public static string InterfaceName(string peerRole) => ("to-" + peerRole)[..Math.Min(15, 3 + peerRole.Length)];

    internal static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var (code, output) = await Clients.RunAsync(program, arguments, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"{program} {string.Join(' ', arguments)} failed ({code}): {output}");
        return output;
    }

    private static async Task ConfigureAsync(LabHost host, string device, string[] addresses)
    {
        foreach (var address in addresses)
        {
            // nodad: an IPv6 address is usable at once instead of after a second of duplicate detection.
            string[] flags = address.Contains(':', StringComparison.Ordinal) ? ["nodad"] : [];
            await host.IpAsync(["addr", "add", address, "dev", device, .. flags]);
        }

        await host.IpAsync("link", "set", device, "up");
    }

    private static async Task DeleteAsync(string name)
    {
        // Processes left inside (a server a failed test did not stop) would keep the namespace alive.
        var (_, pids) = await Clients.RunAsync("ip", ["netns", "pids", name], TimeSpan.FromSeconds(10));
        foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(pid, CultureInfo.InvariantCulture, out var id))
            {
                try
                {
                    using var process = Process.GetProcessById(id);
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }
        }

        await Clients.RunAsync("ip", ["netns", "del", name], TimeSpan.FromSeconds(10));
    }

    /// <summary>Deletes namespaces of earlier test processes that no longer run.</summary>
    private static async Task RemoveOrphansAsync()
    {
        var (_, list) = await Clients.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var owner = name[Prefix.Length..].Split('-')[0];
            if (int.TryParse(owner, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                await DeleteAsync(name);
            }
        }
    }
}

/// <summary>One machine of a <see cref="NetworkLab"/>.</summary>
public sealed class LabHost(string role, string networkNamespace)
{
    public string Role { get; } = role;

    public string Namespace { get; } = networkNamespace;

    public Task<string> IpAsync(params string[] arguments) => NetworkLab.RunAsync("ip", ["-n", Namespace, .. arguments]);

    public Task<string> ExecAsync(params string[] command) => NetworkLab.RunAsync("ip", ["netns", "exec", Namespace, .. command]);

    /// <param name="destination">A network, or "default"; the gateway <paramref name="via"/> says whether it is IPv4 or IPv6.</param>
    public Task RouteAsync(string destination, string via) => IpAsync(via.Contains(':', StringComparison.Ordinal) ? "-6" : "-4", "route", "add", destination, "via", via);

    /// <summary>Turns the host into a router.</summary>
    public async Task ForwardAsync()
    {
        await SysctlAsync("net.ipv4.ip_forward", "1");
        await SysctlAsync("net.ipv6.conf.all.forwarding", "1");
    }

    /// <summary>Sets a kernel setting of this host's namespace (written to /proc/sys, so procps need not be installed).</summary>
    public Task SysctlAsync(string key, string value) => ExecAsync("sh", "-c", $"echo {value} > /proc/sys/{key.Replace('.', '/')}");

    /// <summary>Waits until something in this host listens on TCP <paramref name="port"/>; false when <paramref name="exited"/> says the server died first, or after 10 s.</summary>
    public async Task<bool> WaitForListenerAsync(int port, Func<bool> exited)
    {
        var text = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 100 && !exited(); attempt++)
        {
            if ((await ExecAsync("ss", "-Hltn", $"sport = :{text}")).Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>Loads an nftables ruleset (nft -f syntax) into this host.</summary>
    public async Task FirewallAsync(string ruleset)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, ruleset);
            await ExecAsync("nft", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
