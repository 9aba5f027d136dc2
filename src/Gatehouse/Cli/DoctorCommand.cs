using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Doctor;

namespace Gatehouse.Cli;

/// <summary>gatehouse doctor: examine a server from the client's side and say what is wrong, with the fix.</summary>
internal static class DoctorCommand
{
    /// <summary>Exit status when the doctor found problems (0: all is well).</summary>
    public const int ProblemsFound = 1;

    /// <summary>Exit status when the doctor could not run (a bad URL, no password, an unreadable CA file).</summary>
    public const int UsageError = 2;

    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The server: ftps://user@host[:port][/folder] (ftp:// to test without TLS)." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input (otherwise it is asked for)." };
        var implicitTls = new Option<bool>("--implicit") { Description = "The port speaks implicit TLS (TLS from the first byte; port 990 unless given)." };
        var active = new Option<bool>("--active") { Description = "Also try active mode (EPRT/PORT): the server connects back to this machine." };
        var caFile = new Option<FileInfo?>("--ca-file") { Description = "Also trust the CA certificate(s) in this PEM file (a private CA)." };
        var insecure = new Option<bool>("--insecure") { Description = "Go on after a certificate problem (it is still reported); only on a network you trust." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds one reply, connection or handshake may take.", DefaultValueFactory = _ => 10 };
        var longTransfer = new Option<int>("--long-transfer") { Description = "Hold an upload open this many seconds, then check that the control connection survived (firewall idle time-outs)." };
        var verbose = new Option<bool>("--verbose") { Description = "Print every command and reply (the password masked)." };
        // For the tests of the finding a server gives when data connections do not resume the control connection's TLS session.
        var newTlsSessions = new Option<bool>("--new-data-tls-sessions") { Hidden = true };
        var command = new Command(
            "doctor",
            "Connect to a server as a client would (TLS, login, EPSV, PASV, optionally active mode, a small upload and download) and report each step with its timing; explain what goes wrong, with the fix. Exit 0 when all is well, 1 when something is wrong.")
        {
            url, passwordStdin, implicitTls, active, caFile, insecure, timeout, longTransfer, verbose, newTlsSessions,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DoctorTarget.TryParse(parse.GetValue(url)!, parse.GetValue(implicitTls), out var target, out var error))
            {
                return Usage(error);
            }

            var seconds = parse.GetValue(timeout);
            var hold = parse.GetValue(longTransfer);
            if (seconds is < 1 or > 600 || hold is < 0 or > 3600)
            {
                return Usage("--timeout takes 1 to 600 seconds, --long-transfer 0 to 3600.");
            }

            if (!TryReadAuthorities(parse.GetValue(caFile), out var authorities, out error))
            {
                return Usage(error);
            }

            var password = PasswordInput.Read(parse.GetValue(passwordStdin), out error, confirm: false);
            if (password is null)
            {
                return Usage(error);
            }

            var options = new DoctorOptions(target, password, parse.GetValue(active), authorities, parse.GetValue(insecure), TimeSpan.FromSeconds(seconds), hold, !parse.GetValue(newTlsSessions));
            var doctor = new FtpDoctor(options, TimeProvider.System);
            doctor.Report.StepCompleted += Print;
            Console.WriteLine($"Gatehouse doctor: {target}");
            await doctor.RunAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(verbose))
            {
                Console.WriteLine();
                Console.WriteLine("Transcript:");
                foreach (var line in doctor.Transcript)
                {
                    Console.WriteLine("  " + line);
                }
            }

            return Summarize(doctor.Report);
        });
        return command;
    }

    private static void Print(DoctorStep step)
    {
        var verdict = step.Verdict switch
        {
            StepVerdict.Ok => "ok",
            StepVerdict.Warning => "WARN",
            StepVerdict.Failed => "FAIL",
            _ => "skip",
        };
        Console.WriteLine($"  {verdict,-5} {step.Name,-20} {step.Detail} ({step.Elapsed.TotalMilliseconds:0} ms)");
    }

    private static int Summarize(DoctorReport report)
    {
        Console.WriteLine();
        if (report.AllWell)
        {
            Console.WriteLine("All is well: every step worked.");
            return 0;
        }

        Console.WriteLine($"{report.Findings.Count} finding(s):");
        for (var i = 0; i < report.Findings.Count; i++)
        {
            Console.WriteLine($"  {i + 1}. {report.Findings[i].Problem}");
            Console.WriteLine($"     Fix: {report.Findings[i].Fix}");
        }

        return ProblemsFound;
    }

    private static bool TryReadAuthorities(FileInfo? file, out X509Certificate2Collection? authorities, out string error)
    {
        authorities = null;
        error = string.Empty;
        if (file is null)
        {
            return true;
        }

        try
        {
            authorities = [];
            authorities.ImportFromPemFile(file.FullName);
            if (authorities.Count > 0)
            {
                return true;
            }

            error = $"--ca-file {file.FullName} holds no PEM certificate.";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error = $"--ca-file {file.FullName} cannot be read: {ex.Message}";
        }

        return false;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine(message);
        return UsageError;
    }
}
