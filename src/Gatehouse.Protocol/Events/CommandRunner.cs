using System.Diagnostics;
using System.Globalization;
using Gatehouse.Accounts.Events;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Events;

public sealed record CommandResult(int? ExitCode, bool TimedOut, string? FirstLine, string? Refusal)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut && Refusal is null;

    public override string ToString() =>
        Refusal ?? (TimedOut ? "time-out, killed" : $"exit code {ExitCode}{(FirstLine is null ? string.Empty : $" ({FirstLine})")}");
}

/// <summary>
/// Runs an executable named in Events:Commands with an argument list, never through a shell. It gets a small
/// environment of its own (PATH, LANG and the GATEHOUSE_EVENT_* fields), not the server's, which may hold secrets;
/// its output goes to the log line by line; past its time-out it is killed with its children.
/// </summary>
public sealed class CommandRunner(IReadOnlyCollection<string> allowed, ILogger logger)
{
    private const int MaxLoggedLines = 50;

    public bool IsAllowed(string executable) => allowed.Contains(executable, StringComparer.Ordinal);

    public async Task<CommandResult> RunAsync(string rule, string executable, IEnumerable<string> arguments, ServerEvent happened, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!IsAllowed(executable))
        {
            return new CommandResult(null, false, null, $"{executable} is not in Events:Commands; add it there to let rules run it");
        }

        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (name, value) in EnvironmentOf(happened))
        {
            start.Environment[name] = value;
        }

        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new CommandResult(null, false, null, $"{executable} could not be started: {ex.Message}");
        }

        process.StandardInput.Close();
        var lines = 0;
        var output = ReadAsync(process.StandardOutput, "stdout");
        var errors = ReadAsync(process.StandardError, "stderr");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var first = await output.ConfigureAwait(false) ?? await errors.ConfigureAwait(false);
        await errors.ConfigureAwait(false);
        var result = new CommandResult(timedOut ? null : process.ExitCode, timedOut, first, null);
        EventLog.CommandEnded(logger, rule, executable, result.ToString(), watch.ElapsedMilliseconds);
        return result;

        async Task<string?> ReadAsync(StreamReader reader, string stream)
        {
            string? firstLine = null;
            while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
            {
                firstLine ??= line.Length == 0 ? null : line;
                if (Interlocked.Increment(ref lines) <= MaxLoggedLines)
                {
                    EventLog.CommandOutput(logger, rule, executable, stream, line);
                }
            }

            return firstLine;
        }
    }

    public static IEnumerable<(string Name, string Value)> EnvironmentOf(ServerEvent happened)
    {
        IEnumerable<(string, string?)> fields =
        [
            ("ID", happened.Id),
            ("KIND", happened.Kind),
            ("TIME", happened.Time.ToString("O", CultureInfo.InvariantCulture)),
            ("NODE", happened.Node),
            ("SESSION", happened.SessionId),
            ("USER", happened.User),
            ("GROUPS", string.Join(',', happened.Groups)),
            ("CLIENT", happened.Client),
            ("PATH", happened.Path),
            ("FILE_NAME", happened.FileName),
            ("TARGET_PATH", happened.TargetPath),
            ("REAL_PATH", happened.RealPath),
            ("TARGET_REAL_PATH", happened.TargetRealPath),
            ("SIZE", happened.Size?.ToString(CultureInfo.InvariantCulture)),
            ("SHA256", happened.Sha256),
            ("DURATION_MS", happened.DurationMilliseconds?.ToString(CultureInfo.InvariantCulture)),
            ("REASON", happened.Reason),
            ("UNTIL", happened.Until?.ToString("O", CultureInfo.InvariantCulture)),
        ];
        return fields.Where(field => field.Item2 is not null).Select(field => ("GATEHOUSE_EVENT_" + field.Item1, field.Item2!));
    }
}
