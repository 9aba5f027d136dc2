namespace Gatehouse.EndToEnd.Tests;

/// <summary>Runs clients/ftpsteps.py (real ftplib) and gives each step's final reply.</summary>
public sealed class FtpSteps
{
    private readonly Dictionary<string, string> _replies = new(StringComparer.Ordinal);

    private FtpSteps(string output)
    {
        Output = output;
        foreach (var line in output.Split('\n'))
        {
            var arrow = line.IndexOf(" => ", StringComparison.Ordinal);
            if (arrow > 0)
            {
                _replies[line[..arrow]] = line[(arrow + 4)..].TrimEnd('\r');
            }
        }
    }

    public string Output { get; }

    public string Login => this["LOGIN"];

    public string this[string step] => _replies.TryGetValue(step, out var reply) ? reply : throw new KeyNotFoundException($"No reply for '{step}' in:\n{Output}");

    public static async Task<FtpSteps> RunAsync(
        GatehouseServer server, string user, IEnumerable<string> steps, bool tls = true, string? source = null, string password = GatehouseServer.Password, string[]? extra = null)
    {
        var arguments = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "clients", "ftpsteps.py"),
            "--port", server.ExplicitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--user", user, "--password", password,
        };
        if (tls)
        {
            arguments.AddRange(["--tls", "--cafile", server.CaFile]);
        }

        if (source is not null)
        {
            arguments.AddRange(["--source", source]);
        }

        arguments.AddRange(extra ?? []);
        arguments.AddRange(steps);
        var (code, output) = await Clients.RunAsync(Clients.Python, arguments, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"ftpsteps failed (exit {code}):\n{output}\n--- server log ---\n{Clients.Tail(server.Output)}");
        return new FtpSteps(output);
    }
}
