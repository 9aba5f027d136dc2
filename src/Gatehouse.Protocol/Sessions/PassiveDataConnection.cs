using System.Net.Sockets;
using System.Security.Authentication;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Tls;

namespace Gatehouse.Protocol.Sessions;

/// <summary>A data connection as its transfer command finds it, with the TLS its client started before the command, if any.</summary>
/// <param name="Reservation">The passive port it came through, watched until the transfer ends (see <see cref="PassiveReservation.Raced"/>); the transfer disposes it. Null in active mode.</param>
/// <param name="ArrivedBeforeCommand">A passive connection that had reached its port when the transfer command came.</param>
internal sealed record DataConnection(Socket Socket, TlsUploadStream? EarlyTls, PassiveReservation? Reservation = null, bool ArrivedBeforeCommand = false)
{
    /// <summary>Its TLS resumed the control connection's session: it comes from the client that logged in, whoever else connects.</summary>
    public bool ResumedControlSession { get; set; }
}

/// <summary>
/// A passive port reserved for the next transfer, and what arrives on it before the transfer command. Most clients
/// send the command first and start TLS on the data connection after the 150 reply; some (Go's jlaffaye/ftp) start TLS
/// as soon as they have connected and send the command only once the handshake is done. So under PROT P a client that
/// speaks first on its data connection has its handshake answered at once; one that stays silent until the command is
/// left to the transfer, as always. The connection is still bound to the session by its port and, under
/// Ftp:RequireSameClientIpForData, by its address: <see cref="PassiveListeners"/> has matched it before it gets here.
/// </summary>
internal sealed class PassiveDataConnection : IAsyncDisposable
{
    /// <summary>The 425 text when the port was raced: the same for the transfer that finds it out when it starts.</summary>
    public const string RacedBeforeTransfer =
        "Two connections from your address reached the data port, so something else there may be trying to take this transfer; it was refused. Try again, and tell your administrator if this repeats.";

    private readonly PassiveReservation _reservation;
    private readonly CancellationTokenSource _disposed = new();
    private readonly CancellationTokenSource _commandArrived = new();
    private readonly Task<DataConnection> _arrival;
    private bool _taken;

    /// <param name="tlsBeforeCommand">Whether TLS started before the command is answered now (PROT P is in force).</param>
    /// <param name="secure">The server's side of the data connection's TLS handshake, bounded in time; disposes the socket when it fails.</param>
    public PassiveDataConnection(PassiveReservation reservation, Func<bool> tlsBeforeCommand, Func<Socket, CancellationToken, Task<TlsUploadStream>> secure)
    {
        _reservation = reservation;
        _arrival = ArriveAsync(tlsBeforeCommand, secure);
    }

    /// <summary>
    /// The connection once it has arrived, secured if its client started TLS before the command, with the reservation,
    /// which the caller now owns. Waiting for it ends the wait for an early handshake: one that has not begun is the
    /// transfer's to do, after its 150 reply.
    /// </summary>
    /// <exception cref="DataChannelException">A second connection from the client's address reached the port before the command.</exception>
    public async Task<DataConnection> TakeAsync(CancellationToken cancellationToken)
    {
        var arrivedBefore = _reservation.Reached;
        await _commandArrived.CancelAsync().ConfigureAwait(false);
        var connection = await _arrival.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_reservation.Raced.IsCancellationRequested)
        {
            throw new DataChannelException(RacedBeforeTransfer);
        }

        _taken = true;
        return connection with { Reservation = _reservation, ArrivedBeforeCommand = arrivedBefore };
    }

    /// <summary>Gives the port back, unless a transfer took it, and closes a connection no transfer took, ending a handshake under way.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        try
        {
            var unused = await _arrival.ConfigureAwait(false);
            if (!_taken)
            {
                await DisposeAsync(unused).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or DataChannelException or AuthenticationException or IOException or SocketException or ObjectDisposedException)
        {
            // Nothing arrived, or its handshake failed and closed it; a transfer that waited has seen why.
        }

        if (!_taken)
        {
            await _reservation.DisposeAsync().ConfigureAwait(false);
        }

        _disposed.Dispose();
        _commandArrived.Dispose();
    }

    private static async ValueTask DisposeAsync(DataConnection connection)
    {
        if (connection.EarlyTls is { } tls)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
        }

        connection.Socket.Dispose();
    }

    private async Task<DataConnection> ArriveAsync(Func<bool> tlsBeforeCommand, Func<Socket, CancellationToken, Task<TlsUploadStream>> secure)
    {
        var socket = await _reservation.WaitForConnectionAsync(_disposed.Token).ConfigureAwait(false);
        if (!tlsBeforeCommand() || !await SpeaksBeforeCommandAsync(socket).ConfigureAwait(false))
        {
            return new DataConnection(socket, null);
        }

        return new DataConnection(socket, await secure(socket, _disposed.Token).ConfigureAwait(false));
    }

    /// <summary>Whether bytes (a TLS ClientHello) arrive before the command; they are only peeked at, so they stay for whoever reads next.</summary>
    private async Task<bool> SpeaksBeforeCommandAsync(Socket socket)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_commandArrived.Token, _disposed.Token);
        try
        {
            return await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, waiting.Token).ConfigureAwait(false) > 0;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // The command came first, the session gave the port up, or the connection broke (the transfer finds out).
            return false;
        }
    }
}
