using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The real gatehouse executable, started as its own process on loopback with a fresh data directory.
/// Accounts are created through the real CLI. Disposal sends SIGTERM and waits for a graceful exit.
/// </summary>
public sealed partial class GatehouseServer : IAsyncDisposable
{
    public const string Password = "correct-horse-battery-staple";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    /// <summary>Starts anywhere, so that test runs side by side on one machine do not all begin with the same ranges.</summary>
    private static int _rangeCounter = Random.Shared.Next(40);
    private static int _portCounter = Environment.ProcessId % 3000;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string? _networkNamespace;
    private readonly int _listeners;
    private Process _process;

    /// <summary>Starts the server process; <see cref="WaitForListenersAsync"/> waits for it to listen.</summary>
    /// <param name="listeners">How many "Listening" lines a started server logs.</param>
    private GatehouseServer(string dataDirectory, Dictionary<string, string> settings, string? networkNamespace, int listeners)
    {
        DataDirectory = dataDirectory;
        Settings = settings;
        _networkNamespace = networkNamespace;
        _listeners = listeners;
        _process = Launch();
    }

    public string DataDirectory { get; }

    public IReadOnlyDictionary<string, string> Settings { get; }

    public int ExplicitPort => int.Parse(Settings["Ftp__ExplicitPort"], System.Globalization.CultureInfo.InvariantCulture);

    public int ImplicitPort => int.Parse(Settings["Ftp__ImplicitPort"], System.Globalization.CultureInfo.InvariantCulture);

    public string CaFile => Path.Combine(DataDirectory, "tls", "self-signed.crt");

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "gatehouse.dll");

    /// <summary>
    /// How to run gatehouse: the build's gatehouse.dll with dotnet, or the native executable that E2E_GATEHOUSE_EXECUTABLE
    /// names (for example the Debian package's Native AOT build, to run the same tests against it).
    /// </summary>
    public static (string Program, string[] Arguments) Command(params string[] arguments) =>
        Environment.GetEnvironmentVariable("E2E_GATEHOUSE_EXECUTABLE") is { Length: > 0 } native
            ? (native, arguments)
            : ("dotnet", [Executable, .. arguments]);

    public string Home(string user) => Path.Combine(DataDirectory, "home", user);

    /// <param name="settings">Configuration keys in environment form (Ftp__ExplicitPort), without the GATEHOUSE_ prefix.</param>
    /// <param name="listen">Listen addresses; by default IPv4 and IPv6 loopback.</param>
    /// <param name="prepare">Runs after the users are created and before the server starts (CLI set-up, files).</param>
    /// <param name="networkNamespace">Runs the server inside this network namespace (the network lab); the CLI set-up runs outside.</param>
    public static async Task<GatehouseServer> StartAsync(
        Dictionary<string, string>? settings = null,
        string[]? users = null,
        int passivePorts = 40,
        bool implicitTls = false,
        string[]? listen = null,
        Func<IReadOnlyDictionary<string, string>, Task>? prepare = null,
        string? networkNamespace = null)
    {
        listen ??= ["127.0.0.1", "::1"];
        var dataDirectory = Directory.CreateTempSubdirectory("gatehouse-e2e-").FullName;
        var all = new Dictionary<string, string>
        {
            ["DataDirectory"] = dataDirectory,
            ["Ftp__ExplicitPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ftp__ImplicitPort"] = implicitTls ? FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) : "0",
            ["Ftp__PassivePorts"] = PassiveRange(passivePorts),
            ["Limits__FailedLoginDelayMilliseconds"] = "50",
            ["Limits__ShutdownGraceSeconds"] = "5",
        };
        for (var i = 0; i < listen.Length; i++)
        {
            all[$"Ftp__ListenAddresses__{i}"] = listen[i];
        }

        if (settings is null || !settings.Keys.Any(key => key.StartsWith("Bans__", StringComparison.Ordinal)))
        {
            // Shared servers see many deliberate failures from loopback; ban tests configure bans themselves.
            all["Bans__ExemptNetworks__0"] = "127.0.0.0/8";
            all["Bans__ExemptNetworks__1"] = "::1";
        }

        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        foreach (var user in users ?? ["alice"])
        {
            var (code, output) = await RunCliAsync(all, Password + "\n", "user", "add", user, "--password-stdin");
            if (code != 0)
            {
                Directory.Delete(dataDirectory, recursive: true);
                Assert.Fail($"user add {user} failed: {output}");
            }
        }

        if (prepare is not null)
        {
            await prepare(all);
        }

        var server = new GatehouseServer(dataDirectory, all, networkNamespace, listen.Length * (implicitTls ? 2 : 1));
        try
        {
            await server.WaitForListenersAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Runs a gatehouse CLI command against the given settings; returns exit code and all output.</summary>
    public static async Task<(int ExitCode, string Output)> RunCliAsync(IReadOnlyDictionary<string, string> settings, string? stdin, params string[] arguments)
    {
        using var process = Start(settings, arguments, networkNamespace: null);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A serve that should have refused to start, or a hung command: never left running.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"gatehouse {string.Join(' ', arguments)} still ran after 60 s and was killed.\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    public async Task<(int ExitCode, string Output)> RunCliAsync(string? stdin, params string[] arguments) =>
        await RunCliAsync(Settings, stdin, arguments);

    /// <summary>Runs a gatehouse CLI command that must succeed (set-up steps); fails the test with its output otherwise.</summary>
    public static async Task CliAsync(IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        var (code, output) = await RunCliAsync(settings, null, arguments);
        Assert.True(code == 0, $"gatehouse {string.Join(' ', arguments)} failed ({code}): {output}");
    }

    public Task CliAsync(params string[] arguments) => CliAsync(Settings, arguments);

    /// <summary>Waits until the server log contains <paramref name="text"/>.</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>SIGTERM, as systemd or Ctrl+C would send; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync();
        }

        if (await WaitForExitAsync(timeout) is { } code)
        {
            return code;
        }

        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        return -1;
    }

    /// <summary>
    /// Starts the server again with the same settings, data and ports, as an operator's restart does: after
    /// <see cref="KillAsync"/>, or else after a graceful stop. <see cref="Output"/> then holds the new run's log only.
    /// </summary>
    public async Task RestartAsync()
    {
        if (!_process.HasExited)
        {
            var code = await StopAsync(TimeSpan.FromSeconds(20));
            Assert.True(code == 0, $"The server did not stop cleanly ({code}):\n{Output}");
        }

        _process.Dispose();
        _output.Clear();
        _process = Launch();
        await WaitForListenersAsync();
    }

    /// <summary>SIGKILL: a node that dies without a chance to say goodbye.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>The exit code once the server has stopped by itself, or null when it still runs after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(20));
        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp directory is cleaned by the OS.
        }
    }

    private static Process Start(IReadOnlyDictionary<string, string> settings, string[] arguments, string? networkNamespace)
    {
        var (program, commandLine) = Command(arguments);
        var info = Clients.StartInfo(program, commandLine, networkNamespace);
        info.RedirectStandardInput = true;
        info.WorkingDirectory = settings["DataDirectory"];

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("GATEHOUSE_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in settings)
        {
            info.Environment["GATEHOUSE_" + key] = value;
        }

        return Process.Start(info)!;
    }

    private Process Launch()
    {
        var process = Start(Settings, ["serve"], _networkNamespace);
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitForListenersAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ListeningLine().Matches(Output).Count >= _listeners)
            {
                return;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"Server did not start listening. Output:\n{Output}");
    }

    /// <summary>
    /// A control port that is free now, from 21000-23999: below the kernel's ephemeral range (32768 and up), so no
    /// client connection or other server's ephemeral port can take it between this check and the server's bind.
    /// </summary>
    internal static int FreePort()
    {
        while (true)
        {
            var port = 21000 + (Interlocked.Increment(ref _portCounter) % 3000);
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            try
            {
                probe.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
                return port;
            }
            catch (SocketException)
            {
                // In use; try the next one.
            }
        }
    }

    /// <summary>A range of its own for each server of this run: 40 slots of 120 ports from 24000, below the ephemeral range (unit tests use 29000 and up).</summary>
    private static string PassiveRange(int size)
    {
        var first = 24000 + (Interlocked.Increment(ref _rangeCounter) % 40 * 120);
        return $"{first}-{first + Math.Min(size, 120) - 1}";
    }

    [GeneratedRegex(@"Listening for \S+ on ")]
    private static partial Regex ListeningLine();
}
