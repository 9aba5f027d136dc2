using System.Collections.Concurrent;
using System.Data.Common;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Access;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Proxy;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Server;

/// <summary>
/// Binds the control ports, applies the connection gate, and runs one <see cref="FtpSession"/> per connection.
/// On stop it refuses new connections, lets running transfers finish within Limits:ShutdownGraceSeconds, then closes.
/// </summary>
public sealed class FtpServer(FtpServerContext context, IHostApplicationLifetime lifetime, ILogger<FtpServer> logger) : BackgroundService
{
    private const int Backlog = 512;
    private static readonly TimeSpan DrainPollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan BanRefreshInterval = TimeSpan.FromSeconds(5);
    private static readonly FtpReply EvictedReply =
        new(421, "Too many connections are waiting to log in; this one waited longest from the busiest address. Log in promptly after connecting.");

    private readonly ConnectionGate _gate = new(context.Options.Limits);
    private readonly RefusalLog _refusals = new(logger, context.Time);
    private readonly ConcurrentDictionary<ConnectionSlot, (FtpSession Session, Task Run)> _sessions = new();
    private readonly List<(Socket Socket, bool ImplicitTls)> _listeners = [];

    /// <summary>Opens the control ports here rather than in ExecuteAsync, which runs in the background: a port that cannot be opened fails the start.</summary>
    /// <exception cref="InvalidOperationException">A port cannot be opened; the message names its setting.</exception>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var port in ListenPorts.Control(context.Options.Ftp, context.Settings.ListenAddresses))
            {
                var implicitTls = port.Key == ListenPorts.ImplicitPortKey;
                var socket = port.Open(Backlog, context.Options.Ftp.MaxSegmentSize);
                _listeners.Add((socket, implicitTls));
                Log.Listening(logger, implicitTls ? "implicit-tls" : context.Tls is null ? "plain" : "explicit-tls", socket.LocalEndPoint!);
            }

            if (context.Options.Ftp.MaxSegmentSize != 0)
            {
                Log.SegmentSizeCapped(logger, context.Options.Ftp.MaxSegmentSize);
            }
        }
        catch
        {
            CloseListeners();
            throw;
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var accepting = _listeners.Select(listener => AcceptLoopAsync(listener.Socket, listener.ImplicitTls, stoppingToken)).ToList();
        accepting.Add(RefreshBansAsync(stoppingToken));
        accepting.Add(StopWhenDrainedAsync(stoppingToken));
        await Task.WhenAll(accepting).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        CloseListeners();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        var grace = TimeSpan.FromSeconds(context.Options.Limits.ShutdownGraceSeconds);
        Log.ShuttingDown(logger, context.Options.Limits.ShutdownGraceSeconds, _sessions.Count);
        await Task.WhenAll(_sessions.Values.Select(entry => entry.Session.StopAsync(grace))).ConfigureAwait(false);
        await Task.WhenAll(_sessions.Values.Select(entry => entry.Run)).WaitAsync(cancellationToken).ConfigureAwait(false);
        context.PassivePorts.Dispose();
    }

    private void CloseListeners()
    {
        foreach (var (socket, _) in _listeners)
        {
            socket.Dispose();
        }
    }

    private async Task AcceptLoopAsync(Socket listener, bool implicitTls, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset before accept completed; keep serving.
                continue;
            }

            _ = ServeAsync(client, implicitTls, stoppingToken);
        }
    }

    private async Task ServeAsync(Socket client, bool implicitTls, CancellationToken stoppingToken)
    {
        var remote = await RealClientAsync(client, stoppingToken).ConfigureAwait(false);
        if (remote is null)
        {
            client.Dispose();
            return;
        }

        var address = Addresses.Normalize(remote.Address);
        if (RefusalAtConnect(address, stoppingToken) is { } refusal)
        {
            _refusals.Refused(address, refusal.LogReason);
            await RefuseAsync(client, implicitTls, refusal.ClientReason).ConfigureAwait(false);
            return;
        }

        var admission = _gate.TryEnter(address, out var admitted, out var evicted, out var reason);
        if (admission != GateRefusal.None)
        {
            _refusals.Refused(address, reason);
            if (admission == GateRefusal.AddressLimit)
            {
                // Only the client's own excess counts against it: a server that is full is nobody's offence.
                await AbuseReports.ReportAsync(context.Bans, logger, address, AbuseKind.TooManyConnections, reason, CancellationToken.None).ConfigureAwait(false);
            }

            await RefuseAsync(client, implicitTls, reason).ConfigureAwait(false);
            return;
        }

        if (evicted is not null)
        {
            await EvictAsync(evicted).ConfigureAwait(false);
        }

        var slot = admitted!;
        try
        {
            ConfigureControlSocket(client);
            var session = new FtpSession(context, new NetworkStream(client, ownsSocket: true), (IPEndPoint)client.LocalEndPoint!, remote, implicitTls, slot);
            var run = session.RunAsync();
            _sessions[slot] = (session, run);
            context.Sessions.Add(session);
            try
            {
                if (slot.Evicted)
                {
                    await EvictAsync(slot).ConfigureAwait(false);
                }

                await run.ConfigureAwait(false);
            }
            finally
            {
                _sessions.TryRemove(slot, out _);
                context.Sessions.Remove(session);
                context.Metrics.SessionEnded(context.Time.GetUtcNow() - session.StartedAt, session.State.IsLoggedIn);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            client.Dispose();
        }
        finally
        {
            slot.Leave();
        }
    }

    /// <summary>
    /// Closes a connection that waited to log in, to make room (see <see cref="ConnectionGate"/>). A session not yet
    /// registered is closed by its own <see cref="ServeAsync"/>, which checks the mark after registering.
    /// </summary>
    private async Task EvictAsync(ConnectionSlot slot)
    {
        if (!_sessions.TryGetValue(slot, out var entry))
        {
            return;
        }

        const string why = "held a connection without logging in while connections waiting to log in filled their budget";
        _refusals.Refused(slot.Address, "closed before login to make room for others (Limits:MaxUnauthenticatedSessions is full)");
        await AbuseReports.ReportAsync(context.Bans, logger, slot.Address, AbuseReports.HeldWithoutLogin(entry.Session.Silent), why, CancellationToken.None).ConfigureAwait(false);
        await entry.Session.CloseAsync(EvictedReply, "made room for another connection (Limits:MaxUnauthenticatedSessions)").ConfigureAwait(false);
    }

    /// <summary>
    /// The client a connection is for (see <see cref="ProxiedClient"/>). Null (logged) when a trusted proxy sends no
    /// valid header or an untrusted peer sends one.
    /// </summary>
    private async Task<IPEndPoint?> RealClientAsync(Socket client, CancellationToken stoppingToken)
    {
        var peerAddress = Addresses.Normalize(((IPEndPoint)client.RemoteEndPoint!).Address);
        if (!context.TrustedProxies.Contains(peerAddress) && SentProxyHeader(client))
        {
            Log.UntrustedProxyHeader(logger, peerAddress);
            return null;
        }

        try
        {
            return await ProxiedClient.ResolveAsync(client, context.TrustedProxies, logger, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.ProxyHeaderMissing(logger, peerAddress, "the server is shutting down");
            return null;
        }
    }

    /// <summary>
    /// A client speaks only after the banner (implicit TLS starts with a ClientHello), so bytes that are already
    /// waiting and look like a PROXY header come from a balancer that Ftp:TrustedProxies does not list.
    /// </summary>
    private static bool SentProxyHeader(Socket client)
    {
        if (client.Available < ProxyHeaderParser.SignaturePrefixLength)
        {
            return false;
        }

        Span<byte> start = stackalloc byte[ProxyHeaderParser.SignaturePrefixLength];
        try
        {
            var read = client.Receive(start, SocketFlags.Peek);
            return read == start.Length && ProxyHeaderParser.CouldBeHeader(start);
        }
        catch (SocketException)
        {
            // Reset already; the session will find out on its first read.
            return false;
        }
    }

    /// <summary>Trusted networks and bans, before the connection costs anything.</summary>
    private (string LogReason, string ClientReason)? RefusalAtConnect(IPAddress address, CancellationToken stoppingToken)
    {
        if (stoppingToken.IsCancellationRequested)
        {
            return ("the server is shutting down", "The server is shutting down.");
        }

        if (context.Drain.Draining)
        {
            return ("this node is draining (gatehouse drain)", "This server is going out of service; please connect again to be served by another.");
        }

        if (context.ConnectPolicy.Check(address) is { } notTrusted)
        {
            return ($"{notTrusted} (Access:AllowedNetworks / Access:DeniedNetworks)", "Service not available for your address.");
        }

        return context.Bans.IsBanned(address, out var ban)
            ? ($"banned until {ban.BannedUntil:u} ({ban.Reason})", AbuseReports.BannedReply.Lines[0])
            : null;
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
    }

    private async Task StopWhenDrainedAsync(CancellationToken stoppingToken)
    {
        try
        {
            await context.Drain.Begun.WaitAsync(stoppingToken).ConfigureAwait(false);
            var timeout = context.Options.Cluster.DrainTimeoutSeconds;
            Log.Draining(logger, _sessions.Count, timeout);
            var deadline = context.Time.GetUtcNow().AddSeconds(timeout);
            while (!_sessions.IsEmpty && context.Time.GetUtcNow() < deadline)
            {
                await Task.Delay(DrainPollInterval, context.Time, stoppingToken).ConfigureAwait(false);
            }

            Log.Drained(logger, _sessions.IsEmpty ? "the last session ended" : $"{_sessions.Count} session(s) still open after {timeout}s");

            // A drain signalled while later services (the health check) still start would fail the start, and exit 1.
            await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
            lifetime.StopApplication();
        }
        catch (OperationCanceledException)
        {
            // Stopped before the drain finished.
        }
    }

    /// <summary>Picks up bans lifted with <c>gatehouse ban remove</c> (or decided by another node) and forgets stale scores.</summary>
    private Task RefreshBansAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(BanRefreshInterval, context.Time, async () =>
        {
            try
            {
                await context.Bans.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (DbException ex) when (StoreReachability.IsOutage(ex))
            {
                // The bans in memory hold; the outage is logged once, by the store's reachability.
            }
            catch (DbException ex)
            {
                Log.BanStoreFailed(logger, ex.Message);
            }
        }, stoppingToken);

    private void ConfigureControlSocket(Socket socket)
    {
        socket.NoDelay = true;

        // An urgent ABOR (Telnet Synch) must stay in the byte stream instead of being pulled out of band.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.OutOfBandInline, true);
        TcpKeepAlive.Enable(socket, context.Options.Ftp.ControlKeepAliveSeconds);
    }

    private static async Task RefuseAsync(Socket client, bool implicitTls, string reason)
    {
        using (client)
        {
            if (implicitTls)
            {
                return;
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.SendAsync(Encoding.UTF8.GetBytes($"421 {reason}\r\n"), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // The client is gone already.
            }
        }
    }
}
