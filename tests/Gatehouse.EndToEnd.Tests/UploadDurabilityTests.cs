using System.Diagnostics;
using System.Globalization;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// Storage:SyncUploads: whether the server fsyncs an upload before its 226. Seen from outside with strace, since a
/// missing fsync only shows after a power cut.
/// </summary>
public sealed class UploadDurabilityTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task An_upload_is_fsynced_before_226_unless_SyncUploads_is_false(string? setting, bool synced)
    {
        var settings = new Dictionary<string, string> { ["Tls__Policy"] = "Optional" };
        if (setting is not null)
        {
            settings["Storage__SyncUploads"] = setting;
        }

        await using var server = await GatehouseServer.StartAsync(settings);
        var local = Clients.RandomFile(server.DataDirectory, "durable.bin", 300_000);
        var syncs = await FsyncedUploadFilesAsync(server, () =>
            Clients.CurlAsync(server, "-T", local, $"ftp://127.0.0.1:{server.ExplicitPort}/durable.bin"));

        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(Path.Combine(server.Home("alice"), "durable.bin")));
        if (synced)
        {
            Assert.True(syncs.Count >= 1, "no fsync of the upload's file before 226");
        }
        else
        {
            Assert.True(syncs.Count == 0, string.Join('\n', syncs));
        }
    }

    /// <summary>The fsync/fdatasync calls the server makes on upload files (hidden temporary names) while <paramref name="work"/> runs.</summary>
    private static async Task<List<string>> FsyncedUploadFilesAsync(GatehouseServer server, Func<Task> work)
    {
        var trace = Path.Combine(server.DataDirectory, "fsync.trace");
        var info = new ProcessStartInfo("strace", ["-f", "-y", "-e", "trace=fsync,fdatasync", "-o", trace, "-p", server.ProcessId.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var strace = Process.Start(info)!;
        try
        {
            using var attachTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            string? line;
            do
            {
                line = await strace.StandardError.ReadLineAsync(attachTimeout.Token);
                Assert.True(line is not null, "strace ended before it attached to the server");
            }
            while (!line.Contains("attached", StringComparison.Ordinal));

            await work();
        }
        finally
        {
            // SIGINT: strace detaches and writes out what it has; SIGKILL could lose the end of the trace.
            using (var interrupt = Process.Start("kill", ["-INT", strace.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await strace.WaitForExitAsync(exitTimeout.Token);
        }

        return File.ReadLines(trace).Where(call => call.Contains(".gatehouse-upload-", StringComparison.Ordinal)).ToList();
    }
}
