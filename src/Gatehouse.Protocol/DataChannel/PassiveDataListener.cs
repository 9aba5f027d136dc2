using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Proxy;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// One passive port, reserved at PASV/EPSV time and listening on the control connection's local address.
/// It accepts exactly one data connection from the control connection's client (others are refused and
/// logged; a connection from one of Ftp:TrustedProxies counts as coming from the client its PROXY header names)
/// and releases the port as soon as that connection arrives, the time-out passes, or it is disposed.
/// </summary>
public sealed class PassiveDataListener : IAsyncDisposable
{
    private const int BindAttempts = 8;
    private readonly Socket _listener;
    private readonly PassivePortPool _pool;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<Socket?> _accepted;
    private int _released;
    private bool _handedOver;

    private PassiveDataListener(Socket listener, PassivePortPool pool, int port, PassiveExpectation expectation, ILogger logger)
    {
        _listener = listener;
        _pool = pool;
        Port = port;
        _accepted = AcceptAsync(expectation, logger);
    }

    public int Port { get; }

    public static PassiveDataListener Open(PassivePortPool pool, IPAddress localAddress, PassiveExpectation expectation, ILogger logger)
    {
        localAddress = Addresses.Normalize(localAddress);
        for (var attempt = 0; attempt < BindAttempts; attempt++)
        {
            if (!pool.TryReserve(out var port))
            {
                Log.PassivePortsExhausted(logger, pool.Range.ToString());
                throw new DataChannelException($"All passive ports ({pool.Range}) are busy; try again shortly.");
            }

            var socket = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                // Lets a port whose previous data connection is in TIME_WAIT be reused at once.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(new IPEndPoint(localAddress, port));
                socket.Listen(1);
                return new PassiveDataListener(socket, pool, port, expectation, logger);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // Another program holds this port; try a different one.
                socket.Dispose();
                pool.Release(port);
            }
            catch
            {
                socket.Dispose();
                pool.Release(port);
                throw;
            }
        }

        throw new DataChannelException($"Could not open a passive port in {pool.Range}: ports are in use by other programs.");
    }

    /// <summary>Waits for the client's data connection (already being accepted since PASV).</summary>
    public async Task<Socket> WaitForConnectionAsync(CancellationToken cancellationToken)
    {
        var socket = await _accepted.WaitAsync(cancellationToken).ConfigureAwait(false);
        _handedOver = socket is not null;
        return socket ?? throw new DataChannelException(
            $"No data connection arrived on port {Port} in time; check that the firewall forwards the passive port range {_pool.Range}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        ReleasePort();
        try
        {
            var unused = await _accepted.ConfigureAwait(false);
            // Disposed before a transfer took the connection: it is still ours to close.
            if (unused is not null && !_handedOver)
            {
                unused.Dispose();
            }
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task<Socket?> AcceptAsync(PassiveExpectation expectation, ILogger logger)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(expectation.Timeout);
        var expectedClient = Addresses.Normalize(expectation.Client);
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(deadline.Token).ConfigureAwait(false);
                var client = await ProxiedClient.ResolveAsync(socket, expectation.TrustedProxies, logger, deadline.Token).ConfigureAwait(false);
                var remote = client is null ? null : Addresses.Normalize(client.Address);
                if (remote is not null && (!expectation.RequireSameClient || remote.Equals(expectedClient)))
                {
                    return socket;
                }

                if (remote is not null)
                {
                    Log.ForeignDataConnection(logger, remote, expectedClient);
                }

                socket.Dispose();
            }
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Log.PassiveTimeout(logger, Port, (int)expectation.Timeout.TotalSeconds);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
        finally
        {
            ReleasePort();
        }
    }

    private void ReleasePort()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _listener.Dispose();
            _pool.Release(Port);
        }
    }
}
