using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The real FileZilla 3 GUI on an Xvfb display of its own, driven with xdotool as a person would use it. The profile
/// is isolated (its own HOME) and FileZilla's log file is the oracle for commands, replies and errors. Every wait is
/// bounded; disposal ends FileZilla and Xvfb by the process ids started here.
/// </summary>
public sealed partial class FileZilla : IAsyncDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MissedClickTimeout = TimeSpan.FromSeconds(20);
    private const string CertificateDialog = "Unknown certificate";
    private const string TargetExistsDialog = "Target file already exists";

    // At 1280x800 with FileZilla's default layout, the first row below ".." in the local and remote file lists.
    private const int LocalFirstRowX = 110;
    private const int RemoteFirstRowX = 707;
    private const int FirstRowY = 454;

    private readonly string _workDirectory;
    private readonly Process _xvfb;
    private readonly Process _fileZilla;
    private readonly string _display;
    private readonly ConcurrentQueue<string> _output;
    private int _screenshots;

    private FileZilla(string workDirectory, Process xvfb, string display, Process fileZilla, ConcurrentQueue<string> output)
    {
        _workDirectory = workDirectory;
        _xvfb = xvfb;
        _display = display;
        _fileZilla = fileZilla;
        _output = output;
    }

    /// <summary>How often FileZilla asked what to do about an existing target file (each was answered with its default, Overwrite).</summary>
    public int TargetExistsPrompts { get; private set; }

    /// <summary>
    /// Starts Xvfb and FileZilla connecting to <paramref name="url"/> with <paramref name="localDirectory"/> in the local pane.
    /// </summary>
    /// <param name="gnuTlsPriorityFile">Replaces GnuTLS's system priority file (/etc/gnutls/config) for FileZilla.</param>
    public static async Task<FileZilla> StartAsync(string workDirectory, string url, string localDirectory, string? gnuTlsPriorityFile = null)
    {
        var home = Path.Combine(workDirectory, "home");
        WriteProfile(home, Path.Combine(workDirectory, "filezilla.log"));
        var output = new ConcurrentQueue<string>();
        var (xvfb, display) = await StartXvfbAsync(output);
        try
        {
            var fileZilla = StartFileZilla(home, display, url, localDirectory, gnuTlsPriorityFile, output);
            return new FileZilla(workDirectory, xvfb, display, fileZilla, output);
        }
        catch
        {
            await StopAsync(xvfb);
            throw;
        }
    }

    /// <summary>Waits for the unknown-certificate dialog of the first connection and trusts the certificate for this session.</summary>
    public async Task AcceptUnknownCertificateAsync()
    {
        var dialog = await WaitForWindowAsync(CertificateDialog);
        if (dialog is null)
        {
            Assert.Fail(await ReportAsync($"No '{CertificateDialog}' dialog within {StepTimeout.TotalSeconds} s."));
        }

        if (!await ClickOkAsync(CertificateDialog, dialog))
        {
            Assert.Fail(await ReportAsync($"The '{CertificateDialog}' dialog did not close when its OK button was clicked."));
        }
    }

    /// <summary>Waits until FileZilla's log contains <paramref name="text"/>; fails the test with a report otherwise.</summary>
    public async Task WaitForLogAsync(string text)
    {
        var deadline = DateTime.UtcNow + StepTimeout;
        while (DateTime.UtcNow < deadline)
        {
            await AnswerTargetExistsAsync();
            if (ReadLog().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail(await ReportAsync($"No '{text}' in FileZilla's log within {StepTimeout.TotalSeconds} s."));
    }

    /// <summary>Waits until FileZilla has written nothing to its log for <paramref name="quiet"/> (a listing refresh has ended), at most one step's time.</summary>
    public async Task WaitForQuietAsync(TimeSpan quiet)
    {
        var deadline = DateTime.UtcNow + StepTimeout;
        var length = -1;
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await AnswerTargetExistsAsync();
            var now = ReadLog().Length;
            if (now != length)
            {
                (length, since) = (now, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - since >= quiet)
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Double-clicks the first file in the local pane, which uploads it, and waits for the outcome.</summary>
    public Task<FileZillaOutcome> UploadFirstLocalFileAsync(string path) =>
        TransferAsync(LocalFirstRowX, $"Status: Starting upload of {path}");

    /// <summary>Double-clicks the first file in the remote pane, which downloads it, and waits for the outcome.</summary>
    public Task<FileZillaOutcome> DownloadFirstRemoteFileAsync(string remotePath) =>
        TransferAsync(RemoteFirstRowX, $"Status: Starting download of {remotePath}");

    /// <summary>The TLS protocol of every connection FileZilla made (control and data), from its debug log.</summary>
    public IReadOnlyList<string> NegotiatedProtocols() =>
        [.. NegotiatedProtocol().Matches(ReadLog()).Select(match => match.Groups[1].Value)];

    /// <summary>A failure report: <paramref name="problem"/>, a screenshot kept under the work directory, and the tail of FileZilla's log.</summary>
    public async Task<string> ReportAsync(string problem)
    {
        var screenshot = await ScreenshotAsync();
        var errors = ErrorLines(ReadLog());
        // Method-entry traces ("Trace: CFtpControlSocket::OnReceive()") would push everything else out of the tail.
        var readable = ReadLog().Split('\n').Where(line => !MethodTrace().IsMatch(line));
        return $"""
            {problem}
            FileZilla's errors: {(errors.Count == 0 ? "none" : "\n  " + string.Join("\n  ", errors))}
            Screenshot: {screenshot}
            --- FileZilla log (tail, without method traces): {LogFile} ---
            {Clients.Tail(string.Join('\n', readable))}
            --- FileZilla and Xvfb output ---
            {Clients.Tail(string.Join('\n', _output), 20)}
            """;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_fileZilla);
        await StopAsync(_xvfb);
    }

    private string LogFile => Path.Combine(_workDirectory, "filezilla.log");

    private string ScreenshotDirectory => Path.Combine(_workDirectory, "screenshots");

    private static void WriteProfile(string home, string logFile)
    {
        var settings = new Dictionary<string, string>
        {
            ["Logging file"] = logFile,
            // 3 adds the "Trace:" lines, which name the negotiated TLS protocol; it only holds with FZDEBUG=1 (see StartFileZilla).
            ["Logging Debug Level"] = "3",
            // A greeting version at least FileZilla's own skips the welcome dialog, which would cover the remote pane.
            ["Greeting version"] = "99.0.0",
            // Neither reconnect nor retry a failed transfer: the first failure is the one reported, and fast.
            ["Reconnect count"] = "0",
        };
        var profile = new XDocument(new XElement(
            "FileZilla3",
            new XAttribute("version", "3.63.0"),
            new XAttribute("platform", "*nix"),
            new XElement("Settings", settings.Select(setting => new XElement("Setting", new XAttribute("name", setting.Key), setting.Value)))));
        var directory = Directory.CreateDirectory(Path.Combine(home, ".config", "filezilla")).FullName;
        profile.Save(Path.Combine(directory, "filezilla.xml"));
    }

    /// <summary>Xvfb on the first free display number, which it chooses and reports itself once it accepts clients (-displayfd).</summary>
    private static async Task<(Process Process, string Display)> StartXvfbAsync(ConcurrentQueue<string> output)
    {
        var info = Clients.StartInfo("Xvfb", ["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"]);
        var xvfb = Process.Start(info)!;
        xvfb.ErrorDataReceived += (_, e) => Collect(output, "Xvfb", e.Data);
        xvfb.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(ToolTimeout);
        try
        {
            var number = await xvfb.StandardOutput.ReadLineAsync(timeout.Token);
            if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var display))
            {
                return (xvfb, $":{display}");
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below.
        }

        await StopAsync(xvfb);
        throw new InvalidOperationException($"Xvfb reported no display within {ToolTimeout.TotalSeconds} s:\n{string.Join('\n', output)}");
    }

    private static Process StartFileZilla(string home, string display, string url, string localDirectory, string? gnuTlsPriorityFile, ConcurrentQueue<string> output)
    {
        var info = Clients.StartInfo("filezilla", [$"--local={localDirectory}", url]);
        foreach (var key in info.Environment.Keys.Where(key => key.StartsWith("XDG_", StringComparison.Ordinal)).ToList())
        {
            // FileZilla would otherwise find its profile in $XDG_CONFIG_HOME, the user's real one.
            info.Environment.Remove(key);
        }

        info.Environment["HOME"] = home;
        info.Environment["DISPLAY"] = display;
        info.Environment["LC_ALL"] = "C.UTF-8";
        // Release builds reset the log's debug level to 0 at start unless FZDEBUG is 1.
        info.Environment["FZDEBUG"] = "1";
        // No session bus and no accessibility bridge: nothing may start a D-Bus daemon that would outlive the test.
        info.Environment["DBUS_SESSION_BUS_ADDRESS"] = $"unix:path={Path.Combine(home, "no-session-bus")}";
        info.Environment["NO_AT_BRIDGE"] = "1";
        info.Environment.Remove("GNUTLS_SYSTEM_PRIORITY_FILE");
        if (gnuTlsPriorityFile is not null)
        {
            info.Environment["GNUTLS_SYSTEM_PRIORITY_FILE"] = gnuTlsPriorityFile;
        }

        var fileZilla = Process.Start(info)!;
        fileZilla.OutputDataReceived += (_, e) => Collect(output, "filezilla", e.Data);
        fileZilla.ErrorDataReceived += (_, e) => Collect(output, "filezilla", e.Data);
        fileZilla.BeginOutputReadLine();
        fileZilla.BeginErrorReadLine();
        return fileZilla;
    }

    /// <summary>SIGTERM first, so Xvfb removes its lock file and socket, then SIGKILL for whatever is still running after a few seconds.</summary>
    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed below.
            }
        }

        await Clients.KillAsync(process);
    }

    private static void Collect(ConcurrentQueue<string> output, string source, string? line)
    {
        if (line is not null)
        {
            output.Enqueue($"{source}: {line}");
        }
    }

    private async Task<FileZillaOutcome> TransferAsync(int x, string started)
    {
        var offset = ReadLog().Length;
        await RunOnDisplayAsync("xdotool", "mousemove", Number(x), Number(FirstRowY), "click", "--repeat", "2", "--delay", "80", "1");
        var clicked = DateTime.UtcNow;
        while (DateTime.UtcNow - clicked < StepTimeout)
        {
            await AnswerTargetExistsAsync();
            var log = ReadLog()[offset..];
            if (!log.Contains(started, StringComparison.Ordinal) && DateTime.UtcNow - clicked > MissedClickTimeout)
            {
                return new FileZillaOutcome(false, [$"no '{started}' in the log {MissedClickTimeout.TotalSeconds} s after the double-click at ({x}, {FirstRowY}): it missed the file"]);
            }

            if (log.Contains("Status: File transfer successful", StringComparison.Ordinal))
            {
                return new FileZillaOutcome(true, []);
            }

            if (ErrorLines(log).Count > 0)
            {
                // The first error is followed by the ones that explain it ("File transfer failed"); let them arrive.
                await WaitForQuietAsync(TimeSpan.FromSeconds(2));
                return new FileZillaOutcome(false, ErrorLines(ReadLog()[offset..]));
            }

            await Task.Delay(200);
        }

        return new FileZillaOutcome(false, [$"neither success nor an error in the log within {StepTimeout.TotalSeconds} s"]);
    }

    /// <summary>Answers the existing-target question with its default (Overwrite) so that it blocks nothing, and counts it.</summary>
    private async Task AnswerTargetExistsAsync()
    {
        if (await FindWindowAsync(TargetExistsDialog) is { } dialog)
        {
            TargetExistsPrompts++;
            await ClickOkAsync(TargetExistsDialog, dialog);
        }
    }

    private async Task<string?> WaitForWindowAsync(string title)
    {
        var deadline = DateTime.UtcNow + StepTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await FindWindowAsync(title) is { } window)
            {
                return window;
            }

            await Task.Delay(200);
        }

        return null;
    }

    private async Task<string?> FindWindowAsync(string title)
    {
        var (code, output) = await RunOnDisplayAsync("xdotool", "search", "--onlyvisible", "--name", $"^{Regex.Escape(title)}$");
        return code == 0 ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null;
    }

    /// <summary>
    /// Clicks a dialog's OK button, the rightmost in the bottom row. Without a window manager keyboard focus is unreliable,
    /// so it clicks; the button's height above the bottom edge varies a little with the content, so it tries a few.
    /// </summary>
    private async Task<bool> ClickOkAsync(string title, string window)
    {
        var (_, geometry) = await RunOnDisplayAsync("xdotool", "getwindowgeometry", "--shell", window);
        var values = ShellAssignment().Matches(geometry).ToDictionary(match => match.Groups[1].Value, match => int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        if (values.Count < 4)
        {
            // The dialog went away between finding it and asking for its geometry.
            return await FindWindowAsync(title) != window;
        }

        foreach (var fromBottom in new[] { 24, 32, 16, 40 })
        {
            var x = values["X"] + values["WIDTH"] - 61;
            var y = values["Y"] + values["HEIGHT"] - fromBottom;
            await RunOnDisplayAsync("xdotool", "mousemove", Number(x), Number(y), "click", "1");
            for (var check = 0; check < 5; check++)
            {
                await Task.Delay(200);
                if (await FindWindowAsync(title) != window)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private async Task<string> ScreenshotAsync()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, $"{Interlocked.Increment(ref _screenshots)}.png");
        var (code, output) = await RunOnDisplayAsync("import", "-window", "root", path);
        return code == 0 ? path : $"(import failed: {output})";
    }

    private async Task<(int ExitCode, string Output)> RunOnDisplayAsync(string program, params string[] arguments)
    {
        var info = Clients.StartInfo(program, arguments);
        info.Environment["DISPLAY"] = _display;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"{program} timed out after {ToolTimeout.TotalSeconds} s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private string ReadLog()
    {
        if (!File.Exists(LogFile))
        {
            return "";
        }

        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static List<string> ErrorLines(string log) =>
        [.. ErrorLine().Matches(log).Select(match => match.Groups[1].Value.TrimEnd())];

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Trace: Protocol: (\S+),")]
    private static partial Regex NegotiatedProtocol();

    [GeneratedRegex(@"^\S+ \S+ \d+ \d+ (Error: .*)$", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"Trace: [\w~]+::[\w~]+\(")]
    private static partial Regex MethodTrace();

    [GeneratedRegex(@"^(X|Y|WIDTH|HEIGHT)=(\d+)", RegexOptions.Multiline)]
    private static partial Regex ShellAssignment();
}

/// <summary>What FileZilla's log said about one transfer: success, or its Error: lines.</summary>
public sealed record FileZillaOutcome(bool Succeeded, IReadOnlyList<string> Errors)
{
    public override string ToString() => Succeeded ? "succeeded" : "FAILED\n    " + string.Join("\n    ", Errors);
}
