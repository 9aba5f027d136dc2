using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.EndToEnd.Tests.Lab;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// clients/datato.py: one logged-in FTPS session of alice, stepped from the test, each data connection sent to the
/// address the step names (a node, or a balancer that picks one) instead of the one the server announced.
/// </summary>
public sealed class DataToSession : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _home;
    private readonly TimeSpan _stepLimit;
    private readonly StringBuilder _log = new();
    private int _files;

    private DataToSession(Process process, string home, TimeSpan stepLimit) => (_process, _home, _stepLimit) = (process, home, stepLimit);

    public string Log => _log.ToString();

    /// <param name="home">alice's home as the test sees it, to check uploads byte for byte.</param>
    /// <param name="stepLimit">The longest a transfer may take from its PASV/EPSV to its 226.</param>
    /// <param name="networkNamespace">Runs the client inside this network namespace (the network lab).</param>
    public static async Task<DataToSession> StartAsync(
        string host, int port, string home, LabCertificate certificate, TimeSpan stepLimit, string? networkNamespace = null)
    {
        var info = Clients.StartInfo(Clients.Python,
            [
                Path.Combine(AppContext.BaseDirectory, "clients", "datato.py"), "--host", host, "--port", port.ToString(CultureInfo.InvariantCulture),
                "--user", "alice", "--password", GatehouseServer.Password, "--cafile", certificate.CertificateFile,
            ],
            networkNamespace);
        info.RedirectStandardInput = true;
        var session = new DataToSession(Process.Start(info)!, home, stepLimit);
        var login = await session.ReadLineAsync();
        if (!login.StartsWith("LOGIN => 230", StringComparison.Ordinal))
        {
            session._process.Kill(entireProcessTree: true);
            var error = await session._process.StandardError.ReadToEndAsync();
            await session.DisposeAsync();
            Assert.Fail(login + error);
        }

        return session;
    }

    /// <summary>
    /// For each route, a download and an upload with the data connection sent to that host by PASV or EPSV: each 226,
    /// byte-exact, within the step limit of its PASV/EPSV.
    /// </summary>
    public async Task TransfersAsync(string phase, IEnumerable<(string Host, string Mode)> routes)
    {
        var source = Path.Combine(_home, "source.bin");
        if (!File.Exists(source))
        {
            await File.WriteAllBytesAsync(source, RandomNumberGenerator.GetBytes(3_000_000));
        }

        var sourceHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(source)));
        foreach (var (host, mode) in routes)
        {
            var download = await StepAsync(phase, $"retr source.bin {host} {mode}");
            Assert.Contains($"bytes=3000000 sha256={sourceHash}", download, StringComparison.Ordinal);
            var name = $"upload-{++_files}.bin";
            var upload = await StepAsync(phase, $"stor {name} 2000000 {_files} {host} {mode}");
            var stored = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(_home, name))));
            Assert.Contains($"sha256={stored}", upload, StringComparison.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The client has ended already.
        }

        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task<string> StepAsync(string phase, string step)
    {
        await _process.StandardInput.WriteLineAsync(step);
        await _process.StandardInput.FlushAsync();
        var reply = await ReadLineAsync();
        _log.AppendLine(CultureInfo.InvariantCulture, $"{phase}: {step} => {reply}");
        Assert.True(reply.StartsWith("226", StringComparison.Ordinal), $"{phase}: {step} => {reply}\n{Log}");
        var seconds = double.Parse(reply[(reply.LastIndexOf("seconds=", StringComparison.Ordinal) + 8)..], CultureInfo.InvariantCulture);
        Assert.True(seconds < _stepLimit.TotalSeconds, $"{phase}: {step} took {seconds} s\n{Log}");
        return reply;
    }

    private async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await _process.StandardOutput.ReadLineAsync(timeout.Token) ?? "(the client ended)";
    }
}
