using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Events;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Server;
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
    private readonly SessionLogin _login;
    private string _endReason = SessionEnd.ClientClosed;

    /// <param name="slot">The connection's place in the server's connection budget; none in tests of a lone session.</param>
    public FtpSession(FtpServerContext server, Stream transport, IPEndPoint local, IPEndPoint client, bool implicitTls, ConnectionSlot? slot = null)
    {
        _server = server;
        _control = new ControlChannel(transport);
        _implicitTls = implicitTls;
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        StartedAt = server.Time.GetUtcNow();
        LocalEndPoint = new IPEndPoint(Addresses.Normalize(local.Address), local.Port);
        ClientEndPoint = new IPEndPoint(Addresses.Normalize(client.Address), client.Port);
        Logger = server.LoggerFactory.CreateLogger<FtpSession>();
        _scope = new SessionLogScope(Id, ClientEndPoint);
        _data = new DataConnector(server, _control, State, LocalEndPoint, ClientEndPoint, Logger);
        _transfers = new TransferRunner(server, _data, State, Id, ClientEndPoint.Address, Logger, ReplyAsync, OnTransferRunning);
        var login = LoginTimeouts.From(server.Options.Limits, () => slot?.UnderPressure ?? false);
        _deadline = new SessionDeadline(server.Time, login, TimeSpan.FromSeconds(server.Options.Limits.IdleTimeoutSeconds), () => IsTransferring, OnDeadline);
        _dispatcher = new CommandDispatcher(this, server.Commands, _transfers, server.Bans, StateFacts);
        _login = new SessionLogin(State, _scope, slot, Logger);
    }

    public string Id { get; }

    public IPEndPoint LocalEndPoint { get; }

    public IPEndPoint ClientEndPoint { get; }

    public SessionState State { get; } = new();

    public ILogger Logger { get; }

    public bool IsControlSecure => _control.IsSecure;

    public string ControlSecurity => _control.Security;

    public bool IsTransferring => _transfers.IsRunning;

    public string? TransferStatus => _transfers.Status;

    public DateTimeOffset StartedAt { get; }

    /// <summary>What the admin API lists: who, from where, since when, and the running transfer's progress.</summary>
    public SessionSnapshot Snapshot() =>
        new(Id, State.Account?.Name, ClientEndPoint, StartedAt, IsControlSecure, _transfers.Snapshot);

    public string? ClientCertificateFingerprint => _control.ClientCertificateFingerprint;

    /// <summary>Nothing has arrived on the control connection yet (not a command, not a TLS handshake).</summary>
    public bool Silent { get; private set; } = true;

    private CommandStateFacts StateFacts() =>
        new(State.IsLoggedIn, IsControlSecure, _server.Options.Tls.Policy == TlsPolicy.Required, IsTransferring, State.EpsvOnly,
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
                await _server.Metrics.TlsHandshakeAsync("control", () => _control.StartTlsAsync(_server.Tls!, _server.TlsHandshakeTimeout, _lifetime.Token), _lifetime.Token)
                    .ConfigureAwait(false);
                Silent = false;
                State.ControlSecured(implicitTls: true);
            }

            await ReplyAsync(Greeting()).ConfigureAwait(false);
            await CommandLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _endReason = SessionEnd.For(ex, _lifetime.IsCancellationRequested, Logger) ?? _endReason;
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

        await CloseAsync(new FtpReply(421, "Server is shutting down; please reconnect later."), SessionEnd.ShuttingDown).ConfigureAwait(false);
    }

    /// <summary>Ends the session from outside: <paramref name="reply"/> is its last, and <paramref name="reason"/> what the log says.</summary>
    public async Task CloseAsync(FtpReply reply, string reason)
    {
        _endReason = reason;
        try
        {
            await ReplyAsync(reply).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Closing anyway.
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
    }

    public async ValueTask ReplyAsync(FtpReply reply)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        timeout.CancelAfter(ReplyWriteTimeout);
        await _control.WriteAsync(reply, timeout.Token).ConfigureAwait(false);
    }

    public void CompleteLogin(Account account, AccessPolicy policy, IFileSystem fileSystem, IUserSessionTicket userSession) =>
        _login.Complete(account, policy, fileSystem, userSession);

    public async Task LogoutAsync()
    {
        await _data.ClearAsync().ConfigureAwait(false);
        await _login.LogoutAsync().ConfigureAwait(false);
        _deadline.StartLogin();
    }

    public ValueTask RaiseEventAsync(EventKind kind, EventFacts facts) => _server.RaiseAsync(kind, facts, Id, State, ClientEndPoint.Address);

    public bool HashesUploads => _server.Options.Events.HashUploads;

    public PublishCheck? PublishCheck(VirtualPath path) => _server.PublishCheck(path.Value, Id, State, ClientEndPoint.Address);

    public Task<PassiveReservation> OpenPassiveAsync() => _data.ReservePassiveAsync(_lifetime.Token);

    public Task SetActiveTargetAsync(IPEndPoint target) => _data.SetActiveTargetAsync(target);

    public bool CanStartTransfer(out FtpReply refusal)
    {
        var encryptionRequired = DataChannelPolicy.EncryptionRequired(_server.Options.Tls.Policy, State.Policy is { TlsRequired: true });
        refusal = DataChannelPolicy.TransferRefusal(encryptionRequired, State.Protection, _data.HasEndpoint)!;
        return refusal is null;
    }

    public TransferThrottle? Throttle(TransferDirection direction) => _server.Throttles.For(State, direction);

    public FtpReply StartTransfer(TransferRequest request) => _transfers.Start(request, _lifetime.Token);

    public Task<bool> AbortTransferAsync() => _transfers.AbortAsync();

    private FtpReply Greeting() =>
        _server.Options.Tls.Policy == TlsPolicy.Required && !IsControlSecure
            ? new FtpReply(220, "Gatehouse FTP server ready. TLS is required: send AUTH TLS before logging in.")
            : new FtpReply(220, "Gatehouse FTP server ready.");

    private async Task CommandLoopAsync()
    {
        while (!_lifetime.IsCancellationRequested)
        {
            var read = await _control.ReadAsync(_lifetime.Token).ConfigureAwait(false);
            if (read.Kind == ControlReadKind.Closed)
            {
                return;
            }

            Silent = false;

            var result = await _dispatcher.DispatchAsync(read, _lifetime.Token).ConfigureAwait(false);
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
                _endReason = SessionEnd.ByProtocol;
                await _lifetime.CancelAsync().ConfigureAwait(false);
                break;
            case AfterReply.UpgradeToTls:
                await UpgradeToTlsAsync().ConfigureAwait(false);
                break;
        }
    }

    /// <summary>AUTH TLS: a handshake that fails or times out ends the session as a TLS failure (<see cref="SessionEnd"/>).</summary>
    private async Task UpgradeToTlsAsync()
    {
        try
        {
            await _server.Metrics.TlsHandshakeAsync("control", () => _control.UpgradeAsync(_server.Tls!, _server.TlsHandshakeTimeout, _lifetime.Token), _lifetime.Token)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException && !_lifetime.IsCancellationRequested)
        {
            throw new AuthenticationException(ex.Message, ex);
        }

        State.ControlSecured(implicitTls: false);
    }

    private void OnTransferRunning(bool running) => _deadline.TransferRunning(running, State.IsLoggedIn);

    private void OnDeadline(string reason, FtpReply reply)
    {
        _ = CloseAsync(reply, reason);
        if (!State.IsLoggedIn)
        {
            // A slot held to the end without a login is how a connection flood works; a partner typing slowly scores one point.
            _ = AbuseReports.ReportAsync(_server.Bans, Logger, ClientEndPoint.Address, AbuseReports.HeldWithoutLogin(Silent), reason, CancellationToken.None);
        }
    }

    private async Task CleanUpAsync()
    {
        await _login.GiveBackTicketAsync().ConfigureAwait(false);
        await _deadline.DisposeAsync().ConfigureAwait(false);
        await AbortTransferAsync().ConfigureAwait(false);
        await _data.ClearAsync().ConfigureAwait(false);
        await _control.DisposeAsync().ConfigureAwait(false);
    }
}
