using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Bans;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Parsing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>
/// One control connection: reads commands, dispatches them to handlers, and runs at most one transfer at a
/// time in the background so ABOR and STAT are answered while it runs. Time-outs: an absolute login deadline,
/// then an idle deadline that is suspended for as long as a transfer is in progress.
/// </summary>
public sealed class FtpSession : IFtpSession
{
    private static readonly TimeSpan ReplyWriteTimeout = TimeSpan.FromSeconds(10);

    private readonly FtpServerContext _server;
    private readonly ControlChannel _control;
    private readonly SessionLogScope _scope;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly bool _implicitTls;
    private readonly DataConnector _data;
    private readonly TransferRunner _transfers;
    private readonly SessionDeadline _deadline;
    private readonly CommandDispatcher _dispatcher;
    private string _endReason = "client closed the connection";
    private IUserSessionTicket? _userSession;

    public FtpSession(FtpServerContext server, Stream transport, IPEndPoint local, IPEndPoint client, bool implicitTls)
    {
        _server = server;
        _control = new ControlChannel(transport);
        _implicitTls = implicitTls;
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        LocalEndPoint = new IPEndPoint(Addresses.Normalize(local.Address), local.Port);
        ClientEndPoint = new IPEndPoint(Addresses.Normalize(client.Address), client.Port);
        Logger = server.LoggerFactory.CreateLogger<FtpSession>();
        _scope = new SessionLogScope(Id, ClientEndPoint);
        _data = new DataConnector(server, _control, LocalEndPoint, ClientEndPoint, Logger);
        _transfers = new TransferRunner(server, _data, State, Id, ClientEndPoint.Address, Logger, ReplyAsync, OnTransferRunning);
        _deadline = new SessionDeadline(server.Time, server.Options.Limits, () => IsTransferring, OnDeadline);
        _dispatcher = new CommandDispatcher(this, server.Commands, _transfers, StateFacts);
    }

    public string Id { get; }

    public IPEndPoint LocalEndPoint { get; }

    public IPEndPoint ClientEndPoint { get; }

    public SessionState State { get; } = new();

    public FtpServerContext Server => _server;

    public GatehouseOptions Options => _server.Options;

    public ILogger Logger { get; }

    public bool IsControlSecure => _control.IsSecure;

    public string ControlSecurity => _control.Tls is { } tls ? $"{tls.SslProtocol} ({tls.NegotiatedCipherSuite})" : "plain text";

    public bool IsTransferring => _transfers.IsRunning;

    public string? TransferStatus => _transfers.Status;

    public string? ClientCertificateFingerprint =>
        _control.Tls?.RemoteCertificate is { } certificate ? certificate.GetCertHashString(HashAlgorithmName.SHA256) : null;

    private CommandStateFacts StateFacts() =>
        new(State.IsLoggedIn, IsControlSecure, Options.Tls.Policy == TlsPolicy.Required, IsTransferring, State.EpsvOnly,
            State.PendingUser is not null, State.RenameFrom is not null);

    public async Task RunAsync()
    {
        using var scope = Logger.BeginScope(_scope);
        Log.SessionStarted(Logger, LocalEndPoint, _implicitTls ? "implicit TLS" : "explicit");
        try
        {
            _deadline.StartLogin();
            if (_implicitTls)
            {
                await _control.StartTlsAsync(_server.Tls!, _server.TlsHandshakeTimeout, _lifetime.Token).ConfigureAwait(false);
                State.ProtectionBufferSizeSet = true;
                State.Protection = DataProtection.Private;
            }

            await ReplyAsync(Greeting()).ConfigureAwait(false);
            await CommandLoopAsync().ConfigureAwait(false);
        }
        catch (AuthenticationException ex)
        {
            Log.TlsHandshakeFailed(Logger, "control", ex.Message);
            _endReason = "TLS handshake failed";
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // _endReason already says why (time-out, QUIT, shutdown).
        }
        catch (OperationCanceledException)
        {
            _endReason = "timed out waiting for the client (TLS handshake or reply)";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            _endReason = "connection lost";
        }
        catch (Exception ex)
        {
            Log.SessionFailed(Logger, ex);
            _endReason = "internal error";
        }
        finally
        {
            await CleanUpAsync().ConfigureAwait(false);
            Log.SessionEnded(Logger, _endReason);
        }
    }

    /// <summary>Graceful stop: a running transfer may finish within <paramref name="grace"/>, then 421 and close.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!await _transfers.WaitAsync(grace).ConfigureAwait(false))
        {
            await AbortTransferAsync().ConfigureAwait(false);
        }

        _endReason = "server shutting down";
        await CloseWithReplyAsync(new FtpReply(421, "Server is shutting down; please reconnect later.")).ConfigureAwait(false);
    }

    public async ValueTask ReplyAsync(FtpReply reply)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        timeout.CancelAfter(ReplyWriteTimeout);
        await _control.WriteAsync(reply, timeout.Token).ConfigureAwait(false);
    }

    public void CompleteLogin(Account account, AccessPolicy policy, IFileSystem fileSystem, IUserSessionTicket userSession)
    {
        _userSession = userSession;
        State.Account = account;
        State.Policy = policy;
        State.FileSystem = fileSystem;
        State.PendingUser = null;
        State.FailedLogins = 0;
        State.CurrentDirectory = VirtualPath.Root;
        _scope.User = account.Name;
        Log.LoginSucceeded(Logger);
    }

    public async Task LogoutAsync()
    {
        await _data.ClearAsync().ConfigureAwait(false);
        await LeaveUserSessionsAsync().ConfigureAwait(false);
        State.Reset();
        _scope.User = null;
        _deadline.StartLogin();
    }

    public Task<PassiveReservation> OpenPassiveAsync() => _data.ReservePassiveAsync(_lifetime.Token);

    public Task SetActiveTargetAsync(IPEndPoint target) => _data.SetActiveTargetAsync(target);

    public bool CanStartTransfer(out FtpReply refusal)
    {
        var encryptionRequired = DataChannelPolicy.EncryptionRequired(Options.Tls.Policy, State.Policy is { TlsRequired: true });
        refusal = DataChannelPolicy.TransferRefusal(encryptionRequired, State.Protection, _data.HasEndpoint)!;
        return refusal is null;
    }

    public TransferThrottle? Throttle(TransferDirection direction) =>
        State is { Account: { } account, Policy: { } policy }
            ? _server.Throttles.For(account.Name, direction, direction == TransferDirection.Incoming ? policy.UploadBytesPerSecond : policy.DownloadBytesPerSecond)
            : null;

    public async Task<FtpReply?> ReportAbuseAsync(AbuseKind kind, string detail)
    {
        await AbuseReports.ReportAsync(_server.Bans, Logger, ClientEndPoint.Address, kind, detail, _lifetime.Token).ConfigureAwait(false);
        return _server.Bans.IsBanned(ClientEndPoint.Address, out _) ? AbuseReports.BannedReply : null;
    }

    public FtpReply StartTransfer(TransferRequest request) => _transfers.Start(request, _lifetime.Token);

    public async Task<bool> AbortTransferAsync()
    {
        if (await _transfers.AbortAsync().ConfigureAwait(false))
        {
            return true;
        }

        await _data.ClearAsync().ConfigureAwait(false);
        return false;
    }

    private FtpReply Greeting() =>
        Options.Tls.Policy == TlsPolicy.Required && !IsControlSecure
            ? new FtpReply(220, "Gatehouse FTP server ready. TLS is required: send AUTH TLS before logging in.")
            : new FtpReply(220, "Gatehouse FTP server ready.");

    private async Task CommandLoopAsync()
    {
        while (!_lifetime.IsCancellationRequested)
        {
            var read = await _control.ReadAsync(_lifetime.Token).ConfigureAwait(false);
            var dispatched = read.Kind switch
            {
                ControlReadKind.Closed => (Dispatched?)null,
                ControlReadKind.TooLong => new(await _dispatcher.RefusalAsync(
                    new FtpReply(500, $"Command line too long: the limit is {ProtocolLimits.MaxCommandLineBytes} bytes."), AbuseKind.ProtocolError, "command line too long").ConfigureAwait(false), Ran: false),
                ControlReadKind.InvalidEncoding => new(await _dispatcher.RefusalAsync(
                    new FtpReply(501, "Command is not valid UTF-8 (RFC 2640); send names in UTF-8."), AbuseKind.ProtocolError, "command not valid UTF-8").ConfigureAwait(false), Ran: false),
                _ => await _dispatcher.DispatchAsync(read.Text, _lifetime.Token).ConfigureAwait(false),
            };
            if (dispatched is not { } result)
            {
                return;
            }

            if (result.Ran && State.IsLoggedIn && !IsTransferring)
            {
                _deadline.StartIdle();
            }

            if (!result.Reply.IsDeferred)
            {
                await ReplyAsync(result.Reply).ConfigureAwait(false);
            }

            await AfterReplyAsync(result.Reply.After).ConfigureAwait(false);
        }
    }

    private async Task AfterReplyAsync(AfterReply after)
    {
        switch (after)
        {
            case AfterReply.Close:
                _endReason = "closed by the protocol (QUIT or too many failed logins)";
                await _lifetime.CancelAsync().ConfigureAwait(false);
                break;
            case AfterReply.UpgradeToTls:
                try
                {
                    await _control.UpgradeAsync(_server.Tls!, _server.TlsHandshakeTimeout, _lifetime.Token).ConfigureAwait(false);
                    State.ProtectionBufferSizeSet = false;
                    State.Protection = DataProtection.Clear;
                }
                catch (PlaintextInjectionException)
                {
                    Log.PlaintextAfterAuth(Logger);
                    _endReason = "plain text after AUTH TLS";
                    await _lifetime.CancelAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
                {
                    Log.TlsHandshakeFailed(Logger, "control", ex.Message);
                    _endReason = "TLS handshake failed";
                    await _lifetime.CancelAsync().ConfigureAwait(false);
                }

                break;
        }
    }

    private async Task LeaveUserSessionsAsync()
    {
        if (Interlocked.Exchange(ref _userSession, null) is { } ticket)
        {
            await ticket.LeaveAsync().ConfigureAwait(false);
        }
    }

    /// <summary>No deadline runs while a transfer does; once it has ended, a logged-in session is idle again.</summary>
    private void OnTransferRunning(bool running)
    {
        if (running)
        {
            _deadline.Suspend();
        }
        else if (State.IsLoggedIn)
        {
            _deadline.StartIdle();
        }
    }

    private void OnDeadline(string reason, FtpReply reply)
    {
        _endReason = reason;
        _ = CloseWithReplyAsync(reply);
    }

    private async Task CloseWithReplyAsync(FtpReply reply)
    {
        try
        {
            await ReplyAsync(reply).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Closing anyway.
        }

        try
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The session already ended.
        }
    }

    private async Task CleanUpAsync()
    {
        await LeaveUserSessionsAsync().ConfigureAwait(false);
        await _deadline.DisposeAsync().ConfigureAwait(false);
        await AbortTransferAsync().ConfigureAwait(false);
        await _data.ClearAsync().ConfigureAwait(false);
        await _control.DisposeAsync().ConfigureAwait(false);
    }
}
