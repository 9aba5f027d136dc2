using System.Globalization;
using System.Runtime.InteropServices;

namespace Gatehouse.Hosting;

/// <summary>
/// How <c>gatehouse drain</c> reaches a running server: the server writes its process id to
/// <see cref="DataPaths.PidFile"/> and drains on SIGUSR1. A signal is checked by the kernel, so only root or
/// the server's own user can drain it.
/// </summary>
public static partial class NodeControl
{
    /// <summary>SIGUSR1 on Linux.</summary>
    public const PosixSignal DrainSignal = (PosixSignal)10;

    /// <summary>Writes the pid file; disposing removes it if it still names this process.</summary>
    public static IDisposable WritePidFile(DataPaths paths)
    {
        var file = paths.PidFile;
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(file, pid + "\n");
        return new PidFileLease(file, pid);
    }

    /// <summary>The running server of this data directory, or null with the reason.</summary>
    public static int? FindServer(DataPaths paths, out string reason)
    {
        var file = paths.PidFile;
        if (!File.Exists(file))
        {
            reason = $"no server is running on {paths.Root} ({file} does not exist)";
            return null;
        }

        if (!int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            reason = $"{file} does not hold a process id";
            return null;
        }

        var commandLine = $"/proc/{pid}/cmdline";
        if (!File.Exists(commandLine) || !File.ReadAllText(commandLine).Contains("gatehouse", StringComparison.Ordinal))
        {
            reason = $"process {pid} named in {file} is not running gatehouse (a stale file from a server that did not stop cleanly)";
            return null;
        }

        reason = string.Empty;
        return pid;
    }

    /// <returns>Null on success, else why the signal could not be sent.</returns>
    public static string? SendDrainSignal(int pid) =>
        Kill(pid, (int)DrainSignal) == 0 ? null : $"could not signal process {pid}: {Marshal.GetLastPInvokeErrorMessage()} (run as the server's user or root)";

    public static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}");

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private sealed class PidFileLease(string file, string pid) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                if (File.Exists(file) && File.ReadAllText(file).Trim() == pid)
                {
                    File.Delete(file);
                }
            }
            catch (IOException)
            {
                // Left behind: FindServer recognises a stale file by its process.
            }
        }
    }
}
