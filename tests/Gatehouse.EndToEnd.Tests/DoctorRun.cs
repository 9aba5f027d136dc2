using System.Diagnostics;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Runs `gatehouse doctor` as a partner would, the password on standard input.</summary>
public static class DoctorRun
{
    public static Task<(int ExitCode, string Output)> RunAsync(string url, string? networkNamespace, params string[] options) =>
        RunWithPasswordAsync(url, networkNamespace, GatehouseServer.Password, options);

    public static async Task<(int ExitCode, string Output)> RunWithPasswordAsync(string url, string? networkNamespace, string password, params string[] options)
    {
        var info = Clients.StartInfo("dotnet", [GatehouseServer.Executable, "doctor", url, "--password-stdin", .. options], networkNamespace);
        info.RedirectStandardInput = true;
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteLineAsync(password);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"the doctor timed out.\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
