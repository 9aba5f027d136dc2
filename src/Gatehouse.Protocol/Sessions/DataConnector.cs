using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Gatehouse.Accounts.Bans;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Tls;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>
/// A session's data connections: the endpoint PASV/EPSV reserved or PORT/EPRT named, the connection itself (waited
/// for, or made from the address the client reached us on), its TLS with the control connection's certificate (at
/// once for a passive connection whose client starts TLS before the command, see <see cref="PassiveDataConnection"/>),
/// and its polite close. One endpoint serves one transfer.
/// </summary>
internal sealed class DataConnector(FtpServerContext server, ControlChannel control, SessionState state, IPEndPoint local, IPEndPoint client, ILogger logger)
{
    private static readonly TimeSpan ActiveConnectTimeout = TimeSpan.FromSeconds(15);
    private PassiveDataConnection? _passive;
    private IPEndPoint? _activeTarget;
    // Per kind of transfer (listing, download, upload): whether the last one's data connection reached the port before its command.
    private readonly bool[] _lastConnectedBeforeCommand = new bool[3];
    private volatile bool _raced;

    public bool HasEndpoint => _passive is not null || _activeTarget is not null;

    /// <summary>Reserves a passive port for the next transfer, replacing any earlier PASV/PORT.</summary>
    public async Task<PassiveReservation> ReservePassiveAsync(CancellationToken cancellationToken)
    {
        await ClearAsync().ConfigureAwait(false);
        var expectation = new PassiveExpectation(
            client.Address,
            server.Options.Ftp.RequireSameClientIpForData,
            TimeSpan.FromSeconds(server.Options.Limits.DataConnectionTimeoutSeconds));
        var reservation = await server.PassivePorts.ReserveAsync(local.Address, expectation, logger, cancellationToken).ConfigureAwait(false);
        reservation.Raced.Register(() =>
        {
            _raced = true;
            _ = AbuseReports.ReportAsync(server.Bans, logger, client.Address, AbuseKind.DataConnectionRace,
                $"two data connections on passive port {reservation.AdvertisedPort}: {reservation.TakenBy} and {reservation.Intruder}", CancellationToken.None);
        });
        _passive = new PassiveDataConnection(reservation, () => DataChannelPolicy.AnswersTlsBeforeCommand(state.Protection), SecureBeforeCommandAsync);
        return reservation;
    }

    public async Task SetActiveTargetAsync(IPEndPoint target)
    {
        await ClearAsync().ConfigureAwait(false);
        _activeTarget = target;
    }

    /// <summary>The data connection of the prepared endpoint, which is used up by this; with keep-alive (Ftp:DataKeepAliveSeconds).</summary>
    public async Task<DataConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        TcpKeepAlive.Enable(connection.Socket, server.Options.Ftp.DataKeepAliveSeconds);
        return connection;
    }

    private async Task<DataConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var passive = Interlocked.Exchange(ref _passive, null);
        if (passive is not null)
        {
            await using (passive.ConfigureAwait(false))
            {
                return await passive.TakeAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var target = Interlocked.Exchange(ref _activeTarget, null)
            ?? throw new DataChannelException("Use PASV or EPSV (or PORT/EPRT) before this command.");
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            TcpSegmentSize.Limit(socket, server.Options.Ftp.MaxSegmentSize);
            // Strong host model: leave from the address the client reached us on.
            if (local.Address.AddressFamily == target.AddressFamily)
            {
                socket.Bind(new IPEndPoint(local.Address, 0));
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ActiveConnectTimeout);
            await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            return new DataConnection(socket, null);
        }
        catch (Exception ex) when (ex is SocketException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new DataChannelException($"Could not connect to your active-mode port {target}: a firewall on your side probably blocks it; use passive mode (PASV/EPSV).", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// TLS on the data connection with the control connection's certificate, so the client can resume that session,
    /// unless its client started TLS before the command. An upload's stream checks that the client ended it with
    /// close_notify (<see cref="TlsUploadStream"/>).
    /// </summary>
    public async Task<Stream> SecureAsync(DataConnection connection, Stream data, bool forUpload, CancellationToken cancellationToken)
    {
        if (connection.EarlyTls is { } early)
        {
            EnforceBinding(connection, early.Tls);
            return forUpload ? early : early.Tls;
        }

        var upload = forUpload ? new TlsUploadStream(data, server.Options.Tls.RefuseTruncatedUploads) : null;
        var tls = upload?.Tls ?? new SslStream(data, leaveInnerStreamOpen: false);
        await AuthenticateAsync(tls, cancellationToken).ConfigureAwait(false);
        EnforceBinding(connection, tls);
        return upload ?? (Stream)tls;
    }

    /// <summary>
    /// Logs (at debug level) how the data connection's TLS was secured, and refuses it where it did not resume the control
    /// session and the account's rule requires that (Tls:DataConnectionResumption).
    /// </summary>
    private void EnforceBinding(DataConnection connection, SslStream tls)
    {
        var resumedControl = OpenSslResumption.ResumedSessionOf(tls, control.Tls!);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.DataConnectionSecured(logger, tls.SslProtocol, (resumedControl, OpenSslResumption.Resumed(tls)) switch
            {
                (true, _) => "resuming the control connection's session",
                (false, true) => "resuming another connection's session",
                (_, false) => "a new session (not resumed)",
                _ => "resumption unknown",
            });
        }

        var rule = DataTlsBinding.Effective(server.Options.Tls.DataConnectionResumption, state.Policy?.DataTlsResumption);
        if (DataTlsBinding.Refusal(rule, resumedControl, state.DataTlsResumed) is { } reason)
        {
            Log.DataTlsNotBound(logger, (IPEndPoint)connection.Socket.RemoteEndPoint!, rule, reason);
            throw new DataChannelException("The data connection's TLS did not resume this control connection's TLS session, which is required here (session reuse); turn on TLS session reuse in your client.");
        }

        connection.ResumedControlSession = resumedControl == true;
        state.DataTlsResumed |= connection.ResumedControlSession;
    }

    /// <summary>
    /// What a passive transfer under PROT P waits for before it stores an upload or reports success when its TLS did not
    /// resume the control connection's session, so is not proven to be the client's; null when nothing is to be waited
    /// for. A client that connects before it sends its command has, when the transfer ends, already reached the port:
    /// if something else took it first, the client's own connection was a second one and stopped the transfer (once
    /// the port's queue has been seen to). A client that sends its command first may connect only after a thief's
    /// short transfer is over, so for it the transfer waits for the rest of Ftp:DataRaceWindowMilliseconds after the
    /// PASV reply. Which kind of client a session has is learnt from its last transfer of the same kind (<paramref
    /// name="direction"/>, null for a listing); until one has shown it, and after any race, the window applies.
    /// </summary>
    public Func<CancellationToken, Task>? RaceWindow(DataConnection connection, TransferDirection? direction)
    {
        var window = TimeSpan.FromMilliseconds(server.Options.Ftp.DataRaceWindowMilliseconds);
        if (connection.Reservation is not { } reservation || window <= TimeSpan.Zero || connection.ResumedControlSession)
        {
            return null;
        }

        var kind = direction is { } known ? 1 + (int)known : 0;
        var connectsFirst = _lastConnectedBeforeCommand[kind] && !_raced;
        _lastConnectedBeforeCommand[kind] = connection.ArrivedBeforeCommand;
        return connectsFirst && connection.ArrivedBeforeCommand
            ? reservation.SettleAsync
            : cancellationToken => reservation.RaceWindowAsync(window, cancellationToken);
    }

    /// <summary>Gives back a reserved passive port and forgets an active target.</summary>
    public async Task ClearAsync()
    {
        _activeTarget = null;
        var passive = Interlocked.Exchange(ref _passive, null);
        if (passive is not null)
        {
            await passive.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends TLS close_notify where there is TLS; a client that already hung up does not turn success into failure.</summary>
    public static async Task CloseQuietlyAsync(Stream data)
    {
        try
        {
            if (((data as TlsUploadStream)?.Tls ?? data as SslStream) is { } tls)
            {
                await tls.ShutdownAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The transfer itself succeeded; only the polite goodbye failed.
        }
    }

    /// <summary>
    /// TLS its client started before the transfer command, so before it is known whether it carries an upload: the
    /// stream can check for close_notify, and a download uses the TLS inside it.
    /// </summary>
    private async Task<TlsUploadStream> SecureBeforeCommandAsync(Socket socket, CancellationToken cancellationToken)
    {
        var early = new TlsUploadStream(new NetworkStream(socket, ownsSocket: true), server.Options.Tls.RefuseTruncatedUploads);
        await AuthenticateAsync(early.Tls, cancellationToken).ConfigureAwait(false);
        return early;
    }

    /// <summary>The server's side of a data connection's handshake, within the TLS handshake time-out; disposes the stream when it fails.</summary>
    private async Task AuthenticateAsync(SslStream tls, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(server.TlsHandshakeTimeout);
        try
        {
            await server.Metrics.TlsHandshakeAsync("data", () => tls.AuthenticateAsServerAsync(TlsCertificateProvider.CreateDataOptions(control.Certificate!), timeout.Token), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new DataChannelException("The client did not complete TLS on the data connection in time (PROT P is set).");
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
