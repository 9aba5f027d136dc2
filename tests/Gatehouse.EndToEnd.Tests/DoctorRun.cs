namespace Gatehouse.EndToEnd.Tests;

/// <summary>Runs `gatehouse doctor` as a partner would, the password on standard input.</summary>
public static class DoctorRun
{
    public static Task<(int ExitCode, string Output)> RunAsync(string url, string? networkNamespace, params string[] options) =>
        RunWithPasswordAsync(url, networkNamespace, GatehouseServer.Password, options);

    public static Task<(int ExitCode, string Output)> RunWithPasswordAsync(string url, string? networkNamespace, string password, params string[] options)
    {
        var (program, arguments) = GatehouseServer.Command(["doctor", url, "--password-stdin", .. options]);
        return Clients.RunAsync(program, arguments, TimeSpan.FromMinutes(2), networkNamespace: networkNamespace, standardInput: password + "\n");
    }
}
