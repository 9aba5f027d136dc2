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
    private readonly Process _server;
    private readonly System.Text.StringBuilder _log = new();
    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    public PostgresServer()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderBy(path => int.Parse(Path.GetFileName(path), CultureInfo.InvariantCulture)).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql; scripts/test.sh does it).");
        bin = Path.Combine(bin, "bin");
        _root = Directory.CreateTempSubdirectory("gatehouse-pg-");
        var data = Path.Combine(_root.FullName, "data");
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

            Run(asServiceAccount: true, Path.Combine(bin, "initdb"), "-D", data, "-U", User, "--pwfile", passwordFile, "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C.UTF-8");
            // max_connections is below PostgreSQL's default (100) so that a node whose pool grew with every concurrent
            // login, as Npgsql's default allows, runs the database out of connections in the cluster test.
            _server = Process.Start(StartInfo(asServiceAccount: true, Path.Combine(bin, "postgres"),
                "-D", data, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _root.FullName, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=40"))!;
            _server.OutputDataReceived += (_, line) => Remember(line.Data);
            _server.ErrorDataReceived += (_, line) => Remember(line.Data);
            _server.BeginOutputReadLine();
            _server.BeginErrorReadLine();
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

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _server?.Dispose();
        _root.Delete(recursive: true);
    }

    private void WaitUntilReady()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(ConnectionString("postgres"));
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
