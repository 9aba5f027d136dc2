using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// One session's hold on a passive port, from PASV/EPSV until its data connection arrives, the data connection
/// time-out passes, or it is disposed (a new PASV/PORT, REIN, the end of the session).
/// </summary>
public sealed class PassiveReservation : IAsyncDisposable
{
    private readonly PassiveListeners _listeners;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly Action? _ended;
    private readonly TaskCompletionSource<Socket?> _connection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _timer;
    private CancellationTokenRegistration _onTimeout;
    private bool _handedOver;

    internal PassiveReservation(PassiveListeners listeners, IPEndPoint endPoint, int advertisedPort, IPAddress? owner, TimeSpan timeout, ILogger logger, Action? ended)
    {
        _listeners = listeners;
        EndPoint = endPoint;
        AdvertisedPort = advertisedPort;
        Owner = owner;
        _timeout = timeout;
        _logger = logger;
        _ended = ended;
    }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary>The port to tell the client (Ftp:PassivePortsAdvertised), the same as <see cref="Port"/> unless mapped.</summary>
    public int AdvertisedPort { get; }

    /// <summary>The only client address this reservation takes a connection from; null for any.</summary>
    internal IPAddress? Owner { get; }

    /// <summary>Waits for the client's data connection (already being accepted since PASV).</summary>
    public async Task<Socket> WaitForConnectionAsync(CancellationToken cancellationToken)
    {
        var socket = await _connection.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        _handedOver = socket is not null;
        return socket ?? throw new DataChannelException(
            $"No data connection arrived on port {AdvertisedPort} in time; check that the firewall forwards the passive port range.");
    }

    public async ValueTask DisposeAsync()
    {
        _listeners.Detach(this);
        _connection.TrySetResult(null);
        await _onTimeout.DisposeAsync().ConfigureAwait(false);
        _timer?.Dispose();

        // Disposed before a transfer took the connection: it is still ours to close.
        var unused = await _connection.Task.ConfigureAwait(false);
        if (unused is not null && !_handedOver)
        {
            unused.Dispose();
        }
    }

    internal void StartTimer()
    {
        _timer = new CancellationTokenSource(_timeout);
        _onTimeout = _timer.Token.Register(OnTimeout);
    }

    internal bool Deliver(Socket connection) => _connection.TrySetResult(connection);

    /// <summary>Called by <see cref="PassiveListeners"/> once, when the reservation stops holding its port.</summary>
    internal void NotifyEnded() => _ended?.Invoke();

    private void OnTimeout()
    {
        if (_listeners.Detach(this))
        {
            Log.PassiveTimeout(_logger, AdvertisedPort, (int)_timeout.TotalSeconds);
            _connection.TrySetResult(null);
        }
    }
}
