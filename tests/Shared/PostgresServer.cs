using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Gatehouse.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL server (Debian's postgresql package, which the test script installs): its own cluster in
/// a temporary directory, listening on an ephemeral loopback port with password authentication, stopped and deleted
/// on dispose. Each test gets a fresh database from <see cref="CreateDatabase"/>.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string User = "gatehouse";
    private const string ServiceAccount = "postgres";
    private static int _databaseCounter;
    private readonly DirectoryInfo _root;
    private readonly string _bin;
    private readonly string _data;
    private Process _server;
    private readonly System.Text.StringBuilder _log = new();
    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    public PostgresServer()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderBy(path => int.Parse(Path.GetFileName(path), CultureInfo.InvariantCulture)).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql; scripts/test.sh does it).");
        _bin = Path.Combine(bin, "bin");
        _root = Directory.CreateTempSubdirectory("gatehouse-pg-");
        _data = Path.Combine(_root.FullName, "data");
        var passwordFile = Path.Combine(_root.FullName, "password");
        File.WriteAllText(passwordFile, _password);
        Port = FreePort();
        try
        {
            // PostgreSQL refuses to run as root: as root, the cluster belongs to the package's service account.
            if (Environment.UserName == "root")
            {
                Run(asServiceAccount: false, "chown", "-R", ServiceAccount, _root.FullName);
            }

            Run(asServiceAccount: true, Path.Combine(_bin, "initdb"), "-D", _data, "-U", User, "--pwfile", passwordFile, "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C.UTF-8");
            _server = Launch();
            WaitUntilReady();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; }

    /// <summary>
    /// The directory of the server's Unix socket. A connection string with this as Host reaches the server from
    /// inside any network namespace (the network lab's nodes), since a Unix socket is a file, not an address.
    /// </summary>
    public string SocketDirectory => _root.FullName;

    /// <summary>A new, empty database, as a connection string for the <see cref="User"/> superuser.</summary>
    public string CreateDatabase()
    {
        var name = $"gatehouse_{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCounter)}";
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {name}";
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = User,
        Password = _password,
    }.ToString();

    /// <summary>
    /// Stops the server as an administrator's restart does (fast shutdown: sessions are ended with 57P01), and waits
    /// until it has exited; connections are refused until <see cref="Start"/>.
    /// </summary>
    public void Stop()
    {
        Signal("INT", ServerProcesses().Take(1));
        if (!_server.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            lock (_log)
            {
                throw new InvalidOperationException($"PostgreSQL did not stop within 30 s:\n{_log}");
            }
        }
    }

    /// <summary>Starts the server again after <see cref="Stop"/>, on the same port and data, and waits until it answers.</summary>
    public void Start()
    {
        _server.Dispose();
        _server = Launch();
        WaitUntilReady();
    }

    /// <summary>
    /// Freezes the server and its sessions (SIGSTOP), as a hung host or a network partition looks to a client: connections
    /// are accepted by the kernel but nothing answers, until <see cref="Thaw"/>.
    /// </summary>
    public void Freeze() => Signal("STOP", ServerProcesses());

    /// <summary>
    /// Ends <see cref="Freeze"/>. Run as root, the server is started through runuser, which stops itself when its child
    /// stops (as a shell's job control expects) and would then never see the server exit: it is continued too.
    /// </summary>
    public void Thaw() => Signal("CONT", [.. ServerProcesses(), _server.Id]);

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is { HasExited: false })
        {
            Thaw();
        }

        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _server?.Dispose();
        _root.Delete(recursive: true);
    }

    private Process Launch()
    {
        // max_connections is below PostgreSQL's default (100) so that a node whose pool grew with every concurrent
        // login, as Npgsql's default allows, runs the database out of connections in the cluster test.
        var server = Process.Start(StartInfo(asServiceAccount: true, Path.Combine(_bin, "postgres"),
            "-D", _data, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _root.FullName, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=40"))!;
        server.OutputDataReceived += (_, line) => Remember(line.Data);
        server.ErrorDataReceived += (_, line) => Remember(line.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return server;
    }

    /// <summary>The postmaster (first; its pid is in postmaster.pid) and the processes it forked.</summary>
    private IEnumerable<int> ServerProcesses()
    {
        var pidFile = Path.Combine(_data, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            yield break;
        }

        var postmaster = int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture);
        yield return postmaster;
        foreach (var stat in Directory.GetDirectories("/proc").Select(directory => Path.Combine(directory, "stat")))
        {
            string text;
            try
            {
                text = File.ReadAllText(stat);
            }
            catch (IOException)
            {
                continue; // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster)
            {
                yield return int.Parse(text[..text.IndexOf(' ')], CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Signals the processes; one that ended meanwhile is no error.</summary>
    private static void Signal(string signal, IEnumerable<int> processes)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add($"-{signal}");
        foreach (var pid in processes)
        {
            start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        }

        using var kill = Process.Start(start)!;
        kill.StandardError.ReadToEnd();
        kill.WaitForExit();
    }

    private void WaitUntilReady()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Not from the pool: after a restart it still holds connections to the stopped server, which open at once.
                using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
                connection.Open();
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !_server.HasExited)
            {
                Thread.Sleep(100);
            }
            catch (NpgsqlException error)
            {
                lock (_log)
                {
                    throw new InvalidOperationException($"PostgreSQL did not start: {error.Message}\n{_log}", error);
                }
            }
        }
    }

    private void Remember(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static ProcessStartInfo StartInfo(bool asServiceAccount, string program, params string[] arguments)
    {
        var viaRunuser = asServiceAccount && Environment.UserName == "root";
        var start = new ProcessStartInfo(viaRunuser ? "runuser" : program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (viaRunuser)
        {
            foreach (var prefix in new[] { "-u", ServiceAccount, "--", program })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static void Run(bool asServiceAccount, string program, params string[] arguments)
    {
        var start = StartInfo(asServiceAccount, program, arguments);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within 60 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed (exit {process.ExitCode}): {output.Result}{error.Result}");
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
