using System.Data.Common;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// This node's membership of the cluster (PostgreSQL as the store): it joins before the first session, proves itself
/// alive every few seconds, takes relayed data connections when Cluster:RelayPort is set, and leaves on a clean stop,
/// after the FTP server has ended its sessions. Each heartbeat reads the members (the shares of the passive range) and,
/// after the store was away, writes back what this node did without it.
/// </summary>
public sealed class ClusterMembership(
    IClusterStore registry, ClusterUserSessions userSessions, ClusterPortSharing portSharing, FtpServerContext context, string nodeName, ILogger<ClusterMembership> logger)
    : BackgroundService
{
    private RelayListener? _relay;
    private DateTimeOffset _joinedAt;
    private DateTimeOffset _lastBeat;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var cluster = context.Options.Cluster;
        string? relay = null;
        if (context.PassivePorts is SharedPassiveRange shared)
        {
            shared.ListenOnWholeRange(ListenPorts.SharedPassiveRange(context.Options, context.Settings.ListenAddresses, shared.Range));
            _relay = new RelayListener(shared, portSharing.Signatures, ListenPorts.Relay(cluster, context.Settings.RelayAddress)!, logger);
            _relay.Start(cancellationToken);
            relay = _relay.EndPoint.ToString();
        }

        _joinedAt = _lastBeat = context.Time.GetUtcNow();
        await registry.JoinAsync(nodeName, relay, cancellationToken).ConfigureAwait(false);
        portSharing.UpdateMembers(await registry.ReadNodesAsync(cancellationToken).ConfigureAwait(false), _joinedAt, _joinedAt);
        Log.ClusterJoined(logger, nodeName, registry.NodeId,
            relay is null ? "each node's passive range must be routed to it (Cluster:RelayPort is 0)" : $"the passive range is shared; relayed data connections arrive on {relay}");
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _relay?.Dispose();
        try
        {
            await registry.LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or OperationCanceledException)
        {
            Log.ClusterStoreFailed(logger, "leave the cluster (the other nodes forget this one when its heartbeat stops)", ex.Message);
        }
    }

    public override void Dispose()
    {
        _relay?.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(IClusterStore.HeartbeatInterval, context.Time, async () =>
        {
            try
            {
                var claimLifetime = TimeSpan.FromSeconds(context.Options.Limits.DataConnectionTimeoutSeconds) + IClusterStore.NodeLifetime;
                var beatAt = context.Time.GetUtcNow();
                await registry.HeartbeatAsync(claimLifetime, stoppingToken).ConfigureAwait(false);
                portSharing.UpdateMembers(await registry.ReadNodesAsync(stoppingToken).ConfigureAwait(false), beatAt, _joinedAt);
                if (beatAt - _lastBeat > 2 * IClusterStore.HeartbeatInterval)
                {
                    // The store was away: the others may have taken this node for gone.
                    await userSessions.RestoreAsync(stoppingToken).ConfigureAwait(false);
                }

                _lastBeat = beatAt;
                await portSharing.RecordOfflineClaimsAsync(stoppingToken).ConfigureAwait(false);
                await userSessions.RetryUnrecordedAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreReachability.IsOutage(ex))
            {
                // Logged once for the whole outage, by the store's reachability; the next heartbeat asks again.
            }
            catch (Exception ex) when (ex is DbException or TimeoutException)
            {
                Log.ClusterStoreFailed(logger, "record this node's heartbeat", ex.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping.
            }
        }, stoppingToken);
}
