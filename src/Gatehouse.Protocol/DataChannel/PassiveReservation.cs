using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// One session's hold on a passive port, from PASV/EPSV until it is disposed (once its transfer has ended, or by a new
/// PASV/PORT, REIN, the end of the session) or no data connection arrives within the data connection time-out. Once its
/// connection has arrived the port stays watched for the rest of the transfer: a second connection from the client's
/// address means that something else at that address (behind the same NAT, or on the same host) raced the client to
/// the port, and <see cref="Raced"/> fires so that the transfer fails loudly instead of reporting success.
/// </summary>
public sealed class PassiveReservation : IAsyncDisposable
{
    private readonly PassiveListeners _listeners;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly Action? _ended;
    private readonly TaskCompletionSource<Socket?> _connection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _raced = new();
    private IPEndPoint? _intruder;
    private readonly long _announced = Stopwatch.GetTimestamp();
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
        Raced = _raced.Token;
    }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary>The port to tell the client (Ftp:PassivePortsAdvertised), the same as <see cref="Port"/> unless mapped.</summary>
    public int AdvertisedPort { get; }

    /// <summary>The only client address this reservation takes a connection from; null for any.</summary>
    internal IPAddress? Owner { get; }

    /// <summary>The client whose connection took the port (after any PROXY header); null while it waits. Set under the listeners' lock.</summary>
    internal IPEndPoint? TakenBy { get; private set; }

    /// <summary>Whether a connection has reached the port: it has taken it, or is still waiting in the port's queue to be matched.</summary>
    public bool Reached => TakenBy is not null || !_listeners.Settled(this);

    /// <summary>The second connection that reached the port after it was taken; null while there is none.</summary>
    public IPEndPoint? Intruder => _intruder;

    /// <summary>Fires once, when a second connection from the client's address reaches the port after it was taken.</summary>
    public CancellationToken Raced { get; }

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

    /// <summary>
    /// Waits until <paramref name="window"/> has passed since the port was reserved (and so told to the client), in
    /// which a client's own late connection still arrives; cancelled by <paramref name="cancellationToken"/>.
    /// </summary>
    public Task RaceWindowAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var remaining = window - Stopwatch.GetElapsedTime(_announced);
        return remaining > TimeSpan.Zero ? Task.Delay(remaining, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>
    /// Waits (briefly, at most 100 ms) until every connection that has reached the port so far has been matched, so that
    /// one which arrived before the transfer ended has fired <see cref="Raced"/> if it is a second one.
    /// </summary>
    public async Task SettleAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        while (!_listeners.Settled(this) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    internal void StartTimer()
    {
        _timer = new CancellationTokenSource(_timeout);
        _onTimeout = _timer.Token.Register(OnTimeout);
    }

    /// <summary>Marks the port taken by <paramref name="client"/>; false when it already was. Called under the listeners' lock.</summary>
    internal bool TryTake(IPEndPoint client)
    {
        if (TakenBy is not null)
        {
            return false;
        }

        TakenBy = client;
        return true;
    }

    internal bool Deliver(Socket connection) => _connection.TrySetResult(connection);

    /// <summary>A connection from the client's address reached the port after <see cref="TakenBy"/> took it; the first one is logged and fires <see cref="Raced"/>.</summary>
    internal void ReportIntruder(IPEndPoint intruder)
    {
        if (Interlocked.CompareExchange(ref _intruder, intruder, null) is not null)
        {
            return;
        }

        Log.DataConnectionRaced(_logger, AdvertisedPort, TakenBy!, intruder);
        _raced.Cancel();
    }

    /// <summary>Called by <see cref="PassiveListeners"/> once, when the reservation stops holding its port.</summary>
    internal void NotifyEnded() => _ended?.Invoke();

    private void OnTimeout()
    {
        if (_listeners.DetachWaiting(this))
        {
            Log.PassiveTimeout(_logger, AdvertisedPort, (int)_timeout.TotalSeconds);
            _connection.TrySetResult(null);
        }
    }
}
