using System.Diagnostics;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Runs the real client programs (python3 ftplib, curl, lftp) with a time limit; output is kept for assertions.</summary>
public static class Clients
{
    public const string Python = "/usr/bin/python3";

    public static string Script => Path.Combine(AppContext.BaseDirectory, "clients", "ftpcheck.py");

    /// <summary>
    /// How to start <paramref name="program"/> with its output redirected, inside <paramref name="networkNamespace"/>
    /// when one is given (ip netns exec execs the program itself, so the process, and a signal to it, is the program).
    /// </summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string? networkNamespace = null)
    {
        var info = new ProcessStartInfo(networkNamespace is null ? program : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in networkNamespace is null ? arguments : ["netns", "exec", networkNamespace, program, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>Ends a helper process the tests started (a directory or peer server), whatever state it is in.</summary>
    public static async Task KillAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    /// <param name="networkNamespace">Runs the client inside this network namespace (the network lab).</param>
    /// <param name="standardInput">Written to the program's standard input, which is then closed.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null, string? networkNamespace = null, string? standardInput = null)
    {
        var info = StartInfo(program, arguments, networkNamespace);
        info.WorkingDirectory = workingDirectory ?? Path.GetTempPath();
        info.RedirectStandardInput = standardInput is not null;

        // lftp converts file names through the locale's charset; without a UTF-8 locale it mangles non-ASCII names.
        info.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(info)!;
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"{program} timed out.\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>One ftpcheck.py scenario against the server; asserts that it passed.</summary>
    public static Task<string> FtplibAsync(GatehouseServer server, string scenario, bool tls = true, string host = "127.0.0.1", params string[] extra) =>
        PythonScenarioAsync("ftpcheck.py", server, scenario, tls, host, extra);

    /// <summary>One tlsdata.py scenario (TLS on data connections as the strictest clients use it); asserts that it passed.</summary>
    public static Task<string> TlsDataAsync(GatehouseServer server, string scenario, params string[] extra) =>
        PythonScenarioAsync("tlsdata.py", server, scenario, tls: true, "127.0.0.1", extra);

    private static async Task<string> PythonScenarioAsync(string script, GatehouseServer server, string scenario, bool tls, string host, string[] extra)
    {
        var arguments = new List<string> { Path.Combine(AppContext.BaseDirectory, "clients", script), scenario, "--host", host, "--port", server.ExplicitPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", "alice", "--password", GatehouseServer.Password };
        if (tls)
        {
            arguments.AddRange(["--tls", "--cafile", server.CaFile]);
        }

        arguments.AddRange(extra);
        var (code, output) = await RunAsync(Python, arguments, TimeSpan.FromMinutes(4));
        Assert.True(code == 0, $"{script} {scenario} failed (exit {code}):\n{output}\n--- server log ---\n{Tail(server.Output)}");
        return output;
    }

    public static async Task<string> CurlAsync(GatehouseServer server, params string[] arguments)
    {
        string[] common = ["--silent", "--show-error", "--max-time", "60", "--cacert", server.CaFile, "--user", $"alice:{GatehouseServer.Password}"];
        var (code, output) = await RunAsync("curl", [.. common, .. arguments], TimeSpan.FromMinutes(10));
        Assert.True(code == 0, $"curl {string.Join(' ', arguments)} failed (exit {code}): {output}\n--- server log ---\n{Tail(server.Output)}");
        return output;
    }

    public static string RandomFile(string directory, string name, int size)
    {
        var path = Path.Combine(directory, name);
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static string Tail(string text, int lines = 60) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
