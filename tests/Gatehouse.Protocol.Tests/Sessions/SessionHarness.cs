using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Networks;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Sessions;
using Gatehouse.Protocol.Tls;
using Gatehouse.Storage;
using Gatehouse.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>
/// A real <see cref="FtpSession"/> with the server's real command table and account store (SQLite in a temporary
/// directory), on an in-memory control connection (or one under implicit TLS, <see cref="StartTlsAsync"/>), over an
/// in-memory file system, with a clock the test moves. Data connections are real loopback sockets to the passive port
/// the session reserves.
/// </summary>
internal sealed partial class SessionHarness : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "correct-horse-battery-staple";
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(15);
    private static int _rangeCounter = Environment.ProcessId % 100;

    private readonly DirectoryInfo _directory;
    private readonly AccountDatabase _database;
    private readonly InMemoryConnection _connection = new();
    private readonly FtpServerContext _context;
    private readonly TlsControl? _tls;
    private readonly Task _run;

    private SessionHarness(GatehouseOptions options, DirectoryInfo directory, AccountDatabase database, TlsControl? tls, TlsCertificateProvider? certificates)
    {
        _tls = tls;
        _directory = directory;
        _database = database;
        Options = options;
        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        var bans = new BanList(new SqlBanStore(database), new BanPolicy(false, 10, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromDays(7), TimeSpan.FromDays(1), NetworkList.Empty), Time);
        var commands = FtpCommandTable.CreateDefault(new CommandServices(
            options,
            new Authenticator(new SqlAccountStore(database), new PasswordHashing(), Time),
            new LoginAuthorizer(new AccessPolicyResolver(new SqlAccessStore(database)), new UserSessionCounter(), Time),
            (_, _) => Storage ?? Files,
            bans,
            new AccountThrottle(new SqlAccountFailureStore(database), AccountThrottlePolicy.Disabled, NetworkList.Empty, Time),
            new PassiveAddressSelector(settings, new DnsHostNameResolver(Time, TimeSpan.FromMinutes(1), NullLogger.Instance)),
            Time,
            GatehouseMetrics.Unobserved));
        _context = new FtpServerContext
        {
            Options = options,
            Settings = settings,
            Commands = commands,
            Throttles = new TransferThrottles(Time),
            Bans = bans,
            ConnectPolicy = AddressPolicy.Open,
            PassivePorts = new PassiveListeners(settings.PassivePorts, null, NetworkList.Empty, NullLogger.Instance),
            TransferLog = new TransferLog(Path.Combine(directory.FullName, "xferlog")),
            Time = Time,
            LoggerFactory = Logs,
            Tls = certificates,
        };
        _context.TransferFinished += Finished.Add;
        Session = new FtpSession(_context, tls?.Transport ?? _connection.Server, new IPEndPoint(IPAddress.Loopback, 21), new IPEndPoint(IPAddress.Loopback, 40000), implicitTls: tls is not null);
        _run = Session.RunAsync();
    }

    public GatehouseOptions Options { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public MemoryFileSystem Files => field ??= new MemoryFileSystem(Time);

    /// <summary>What a login gets as its storage instead of <see cref="Files"/>, when set before it.</summary>
    public IFileSystem? Storage { get; set; }

    /// <summary>Everything the session logged.</summary>
    public CapturedLogs Logs { get; } = new();

    public FtpSession Session { get; }

    public List<TransferFinished> Finished { get; } = [];

    /// <summary>A session on a server whose Tls:Policy is Optional (no TLS on an in-memory connection) unless <paramref name="configure"/> says otherwise.</summary>
    public static Task<SessionHarness> StartAsync(Action<GatehouseOptions>? configure = null) => StartAsync(configure, tls: false);

    /// <summary>A session whose control connection is under implicit TLS (so PROT P is in force), with a self-signed certificate.</summary>
    public static Task<SessionHarness> StartTlsAsync(Action<GatehouseOptions>? configure = null) => StartAsync(configure, tls: true);

    private static async Task<SessionHarness> StartAsync(Action<GatehouseOptions>? configure, bool tls)
    {
        var options = new GatehouseOptions();
        options.Tls.Policy = TlsPolicy.Optional;
        options.Limits.FailedLoginDelayMilliseconds = 0;
        var first = 43000 + Interlocked.Add(ref _rangeCounter, 10) % 2000;
        options.Ftp.PassivePorts = $"{first}-{first + 9}";
        configure?.Invoke(options);
        var directory = Directory.CreateTempSubdirectory("gatehouse-session-");
        var database = AccountDatabase.OpenSqlite(Path.Combine(directory.FullName, "accounts.db"));
        await new SqlAccountStore(database).AddAsync(new Account(User, new PasswordHashing().Hash(Password), "/home/alice", true, DateTimeOffset.UtcNow, null), CancellationToken.None);
        var certificates = tls ? CreateCertificates(directory) : null;
        var control = tls ? await TlsControl.ConnectAsync() : null;
        var harness = new SessionHarness(options, directory, database, control, certificates);
        if (control is not null)
        {
            using var timeout = new CancellationTokenSource(ReplyTimeout);
            await control.StartAsync(harness._connection.Server, timeout.Token);
        }

        Assert.StartsWith("220 ", await harness.ReplyAsync());
        return harness;
    }

    /// <summary>Sends one command line and returns its reply (all lines of a multi-line one).</summary>
    public async Task<string> SendAsync(string line)
    {
        await _connection.SendAsync(line + "\r\n");
        return await ReplyAsync();
    }

    public async Task<string> ReplyAsync()
    {
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        return await _connection.ReplyAsync(timeout.Token);
    }

    public async Task LoginAsync()
    {
        Assert.StartsWith("331 ", await SendAsync($"USER {User}"));
        Assert.StartsWith("230 ", await SendAsync($"PASS {Password}"));
    }

    /// <summary>EPSV, and a data connection to the port it names (from <paramref name="from"/>, another loopback address, if given).</summary>
    public async Task<Socket> ConnectPassiveAsync(IPAddress? from = null)
    {
        var epsv = await SendAsync("EPSV");
        var port = int.Parse(EpsvPort().Match(epsv).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var data = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            data.Bind(new IPEndPoint(from, 0));
        }

        await data.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return data;
    }

    /// <summary>EPSV, connects to the port it names, sends <paramref name="command"/>; returns its 150 (or refusal) and the data connection, if any.</summary>
    public async Task<(string Reply, Socket? Data)> OpenDataAsync(string command)
    {
        var data = await ConnectPassiveAsync();
        var reply = await SendAsync(command);
        return (reply, reply.StartsWith("150 ", StringComparison.Ordinal) ? data : Dispose(data));
    }

    /// <summary>Runs a transfer command whose data connection the server writes: returns what arrived and the final reply.</summary>
    public async Task<(byte[] Data, string Reply)> ReceiveAsync(string command)
    {
        var (opening, data) = await OpenDataAsync(command);
        Assert.True(data is not null, $"{command}: {opening}");
        using (data)
        {
            await using var stream = new NetworkStream(data);
            using var received = new MemoryStream();
            await stream.CopyToAsync(received);
            return (received.ToArray(), await ReplyAsync());
        }
    }

    /// <summary>Runs a transfer command that sends <paramref name="content"/> on the data connection: returns the final reply.</summary>
    public async Task<string> SendDataAsync(string command, byte[] content)
    {
        var (opening, data) = await OpenDataAsync(command);
        Assert.True(data is not null, $"{command}: {opening}");
        using (data)
        {
            await data.SendAsync(content);
            data.Shutdown(SocketShutdown.Send);
            return await ReplyAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        await _run.WaitAsync(TimeSpan.FromSeconds(15));
        _context.Tls?.Dispose();
        _context.PassivePorts.Dispose();
        _context.TransferLog.Dispose();
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private static TlsCertificateProvider CreateCertificates(DirectoryInfo directory)
    {
        var (certificateFile, keyFile) = SelfSignedCertificate.Ensure(directory.FullName, TimeProvider.System);
        return new TlsCertificateProvider(certificateFile, keyFile, NullLogger.Instance, TimeProvider.System);
    }

    private static Socket? Dispose(Socket socket)
    {
        socket.Dispose();
        return null;
    }

    [GeneratedRegex(@"\(\|\|\|(\d+)\|\)")]
    private static partial Regex EpsvPort();
}
