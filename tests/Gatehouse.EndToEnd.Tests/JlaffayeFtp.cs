using System.Globalization;
using System.Security.Cryptography;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The Go client in clients/jlaffaye, on Debian's github.com/jlaffaye/ftp (golang-github-jlaffaye-ftp-dev), built
/// offline with Debian's Go from /usr/share/gocode (GOPATH mode). It is built once and kept in the temporary
/// directory under the hash of its source, so later runs reuse it.
/// </summary>
internal static class JlaffayeFtp
{
    private const string GoPath = "/usr/share/gocode";
    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    /// <summary>Logs in with explicit TLS, uploads <paramref name="size"/> random bytes as <paramref name="name"/>, lists and downloads them.</summary>
    /// <param name="mode">epsv or pasv.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(GatehouseServer server, string name, int size, string mode) =>
        await Clients.RunAsync(await Binary.Value,
            ["127.0.0.1", server.ExplicitPort.ToString(CultureInfo.InvariantCulture), "alice", GatehouseServer.Password, server.CaFile,
                name, size.ToString(CultureInfo.InvariantCulture), mode],
            TimeSpan.FromMinutes(2));

    private static async Task<string> BuildAsync()
    {
        Assert.True(File.Exists(Path.Combine(GoPath, "src/github.com/jlaffaye/ftp/ftp.go")) && File.Exists("/usr/bin/go"),
            "Go or its jlaffaye/ftp library is missing: apt-get install golang-go golang-github-jlaffaye-ftp-dev (scripts/test.sh does).");
        var source = Path.Combine(AppContext.BaseDirectory, "clients", "jlaffaye", "main.go");
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(source)))[..16];
        var directory = Path.Combine(Path.GetTempPath(), $"gatehouse-jlaffaye-{hash}");
        var binary = Path.Combine(directory, "jlaffaye-ftp");
        if (File.Exists(binary))
        {
            return binary;
        }

        Directory.CreateDirectory(directory);
        var building = $"{binary}.{Environment.ProcessId}";
        var (code, output) = await Clients.RunAsync("/usr/bin/env",
            ["GO111MODULE=off", $"GOPATH={GoPath}", $"GOCACHE={Path.Combine(directory, "cache")}", "GOFLAGS=", "/usr/bin/go", "build", "-o", building, source],
            TimeSpan.FromMinutes(3), directory);
        Assert.True(code == 0, $"Building the jlaffaye/ftp client failed (exit {code}):\n{output}");
        File.Move(building, binary, overwrite: true);
        return binary;
    }
}
