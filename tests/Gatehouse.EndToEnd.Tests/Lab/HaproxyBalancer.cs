using System.Diagnostics;

namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>Debian's HAProxy in TCP mode inside a lab host, with the configuration docs/cluster.md documents.</summary>
public sealed class HaproxyBalancer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;

    private HaproxyBalancer(Process process, DirectoryInfo directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <param name="configuration">haproxy.cfg without its global section, which holds the admin socket the test reads states from.</param>
    public static async Task<HaproxyBalancer> StartAsync(LabHost host, string configuration, int port)
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-lab-haproxy-");
        var file = Path.Combine(directory.FullName, "haproxy.cfg");
        await File.WriteAllTextAsync(file, $"global\n    stats socket {Path.Combine(directory.FullName, "admin.sock")} mode 600 level admin\n\n{configuration}\n");
        // -db: stay in the foreground, so the test owns the process.
        var process = Process.Start(Clients.StartInfo("haproxy", ["-db", "-f", file], host.Namespace))!;
        var balancer = new HaproxyBalancer(process, directory);
        if (!await host.WaitForListenerAsync(port, () => process.HasExited))
        {
            var error = process.HasExited ? await process.StandardError.ReadToEndAsync() : "(still running)";
            await balancer.DisposeAsync();
            Assert.Fail($"HAProxy did not start listening on {port}: {error}");
        }

        return balancer;
    }

    /// <summary>Waits until HAProxy's health checks have put <paramref name="server"/> of <paramref name="backend"/> in <paramref name="status"/> (UP or DOWN).</summary>
    public async Task WaitForServerAsync(string backend, string server, string status)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            last = await ServerStatusAsync(backend, server);
            if (last.StartsWith(status, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"HAProxy kept {backend}/{server} {last}, not {status}, for 20 s");
    }

    public async ValueTask DisposeAsync()
    {
        await Clients.KillAsync(_process);
        _directory.Delete(recursive: true);
    }

    /// <summary>The status column of "show stat" (CSV) for one server, asked on the admin socket.</summary>
    private async Task<string> ServerStatusAsync(string backend, string server)
    {
        const string Ask = "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'show stat\\n'); print(s.makefile().read())";
        var (code, output) = await Clients.RunAsync(Clients.Python, ["-c", Ask, Path.Combine(_directory.FullName, "admin.sock")], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        var status = Array.IndexOf(header, "status");
        var row = lines.Skip(1).Select(line => line.Split(',')).FirstOrDefault(fields => fields.Length > status && fields[0] == backend && fields[1] == server);
        return row?[status] ?? "(not listed)";
    }
}
