using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Accounts.Cluster;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Cluster;

/// <summary>
/// The passive range shared by every node (Cluster:RelayPort): each node promises only the ports of its share
/// (<see cref="PortShares"/>, over the membership it last read), claims them in the shared store, and relays a data
/// connection for another node's session to that node's relay port. While the store is unreachable (or does not
/// answer within <see cref="StoreTimeout"/>), a node promises from its share alone and writes those claims when the
/// store returns, and a relaying node finds the owner by the same rule and signs the relay with the owner's key
/// (<see cref="SignedRelayHeader"/>). The relay costs this node one extra connection and a copy of every byte in
/// both directions (measured in docs/cluster.md); TLS stays end to end between the client and the owner.
/// </summary>
public sealed class ClusterPortSharing : IPassivePortSharing
{
    /// <summary>How long a PASV or a relay waits for the store before it goes on without it.</summary>
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private readonly IClusterStore _registry;
    private readonly StoreReachability _reachability;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, UnrecordedClaim> _unrecorded = new(StringComparer.Ordinal);
    private volatile Membership _membership;
    private long _storeQuietUntil;

    public ClusterPortSharing(IClusterStore registry, StoreReachability reachability, TimeProvider time, ILogger logger)
    {
        (_registry, _reachability, _time, _logger) = (registry, reachability, time, logger);
        _membership = new Membership([Self], DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Signatures = new SignedRelayHeader(registry.RelayKey, time);
    }

    /// <summary>Checks the signed relays that reach this node (<see cref="RelayListener"/>).</summary>
    public SignedRelayHeader Signatures { get; }

    private ClusterNode Self => new(_registry.NodeId, "this node", null, _registry.RelayKey);

    /// <summary>The members the store listed at the heartbeat that began at <paramref name="beatAt"/>.</summary>
    /// <param name="joinedAt">When this node joined; its offline share is only safe once every other node has read it.</param>
    public void UpdateMembers(IReadOnlyList<ClusterNode> nodes, DateTimeOffset beatAt, DateTimeOffset joinedAt)
    {
        var members = nodes.Any(node => node.Id == _registry.NodeId) ? nodes : [.. nodes, Self];
        _membership = new Membership(members, beatAt, joinedAt);
    }

    public bool IsOurs(int port, IPAddress client) => PortShares.Owner(_membership.Nodes, port, client)?.Id == _registry.NodeId;

    public async Task<bool> ClaimAsync(int port, IPAddress client, string token, CancellationToken cancellationToken)
    {
        var attempted = StoreAnswers();
        if (attempted)
        {
            var claim = _registry.ClaimPortAsync(port, client.ToString(), token, cancellationToken);
            try
            {
                return await claim.WaitAsync(StoreTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreReachability.IsOutage(ex))
            {
                StoreAway("claim a passive port", ex);
                // Should the claim still be written once the store answers, it is recorded as made.
                _ = claim.ContinueWith(written => written.Result && _unrecorded.TryRemove(token, out _), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
            catch (DbException ex)
            {
                // The store answered, with an error: not an outage to work around.
                Log.ClusterStoreFailed(_logger, $"claim passive port {port}", ex.Message);
                throw Unreachable();
            }
        }

        var membership = _membership;
        var now = _time.GetUtcNow();
        if (membership.BeatAt - membership.JoinedAt < 2 * IClusterStore.HeartbeatInterval)
        {
            Log.OfflineClaimRefused(_logger, port, client, "this node joined too recently for every other node to know its share of the range");
            throw Unreachable();
        }

        if (now - membership.BeatAt > IClusterStore.OfflineClaimLimit)
        {
            Log.OfflineClaimRefused(_logger, port, client, $"the store has not been reached for more than {IClusterStore.OfflineClaimLimit.TotalMinutes:0} minutes, after which the other nodes may give out this node's share");
            throw Unreachable();
        }

        _unrecorded[token] = new UnrecordedClaim(port, client, attempted);
        Log.PassivePortClaimedOffline(_logger, port, client);
        return true;
    }

    public void Release(int port, IPAddress client, string token)
    {
        if (_unrecorded.TryRemove(token, out var unrecorded) && !unrecorded.Attempted)
        {
            return;
        }

        _ = ReleaseAsync(port, client, token);
    }

    public async Task<bool> ForwardAsync(Socket connection, IPEndPoint client, int port, CancellationToken cancellationToken)
    {
        PassiveClaim? claim = null;
        if (StoreAnswers())
        {
            try
            {
                claim = await _registry.FindClaimAsync(port, client.Address.ToString(), cancellationToken).WaitAsync(StoreTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreReachability.IsOutage(ex))
            {
                StoreAway("find the node waiting on a passive port", ex);
            }
            catch (DbException ex)
            {
                Log.ClusterStoreFailed(_logger, $"find the node waiting on passive port {port}", ex.Message);
                return false;
            }
        }

        if (claim is not null)
        {
            if (claim.NodeId == _registry.NodeId || claim.RelayEndPoint is null || !IPEndPoint.TryParse(claim.RelayEndPoint, out var claimed))
            {
                return false;
            }

            Log.DataConnectionRelayed(_logger, client, port, claim.NodeName, claim.RelayEndPoint);
            await RelayAsync(connection, client, port, claim.NodeName, claimed, RelayHeader.Write(claim.Token, client, port), cancellationToken).ConfigureAwait(false);
            return true;
        }

        // Not in the store (it is away, or the claim was made while it was): the port's owner by the shared rule, if another node.
        var owner = PortShares.Owner(_membership.Nodes, port, client.Address);
        if (owner is not { RelayEndPoint: { } relayEndPoint, RelayKey: { } key } || owner.Id == _registry.NodeId || !IPEndPoint.TryParse(relayEndPoint, out var relay))
        {
            return false;
        }

        Log.DataConnectionRelayedByShare(_logger, client, port, owner.Name, relayEndPoint);
        await RelayAsync(connection, client, port, owner.Name, relay, SignedRelayHeader.Write(key, client, port, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Writes the claims made while the store was away; those the store still refuses wait for the next call.</summary>
    public async Task RecordOfflineClaimsAsync(CancellationToken cancellationToken)
    {
        foreach (var (token, claim) in _unrecorded)
        {
            var client = claim.Client.ToString();
            if (!await _registry.ClaimPortAsync(claim.Port, client, token, cancellationToken).ConfigureAwait(false)
                && await _registry.FindClaimAsync(claim.Port, client, cancellationToken).ConfigureAwait(false) is { } holder && holder.Token != token)
            {
                Log.OfflineClaimCollided(_logger, claim.Port, claim.Client, holder.NodeName);
            }

            if (!_unrecorded.TryRemove(new KeyValuePair<string, UnrecordedClaim>(token, claim)) && !_unrecorded.ContainsKey(token))
            {
                // Released while it was being written: the store must not keep it.
                await _registry.ReleasePortAsync(claim.Port, client, token, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static DataChannelException Unreachable() =>
        new("The cluster's shared store cannot be reached to reserve a passive port; try again shortly.");

    /// <summary>Whether to ask the store: not while it is known to be away, nor for a heartbeat's time after it did not answer.</summary>
    private bool StoreAnswers() => _reachability.IsReachable && _time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _storeQuietUntil);

    private void StoreAway(string operation, Exception error)
    {
        Interlocked.Exchange(ref _storeQuietUntil, (_time.GetUtcNow() + IClusterStore.HeartbeatInterval).UtcTicks);
        if (error is TimeoutException)
        {
            // No answer in time is what a frozen store looks like: tell the rest of the node (the quota ledger, logins) at
            // once, rather than letting the next upload find out for itself after its own, longer time-out.
            _reachability.ReportUnreachable(error);
        }

        Log.ClusterStoreSkipped(_logger, operation, error is TimeoutException ? $"no answer within {StoreTimeout.TotalSeconds:0}s" : error.Message);
    }

    /// <summary>Connects to the owner's relay port, sends the header, then copies both ways until both sides end.</summary>
    private async Task RelayAsync(Socket connection, IPEndPoint client, int port, string node, IPEndPoint relay, byte[] header, CancellationToken cancellationToken)
    {
        var owner = new Socket(relay.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await owner.ConnectAsync(relay, timeout.Token).ConfigureAwait(false);
            await owner.SendAsync(header, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Log.RelayFailed(_logger, client, port, node, relay.ToString(), ex is OperationCanceledException ? $"no connection within {ConnectTimeout.TotalSeconds:0}s" : ex.Message);
            owner.Dispose();
            connection.Dispose();
            return;
        }

        await ByteRelay.RunAsync(connection, owner, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(int port, IPAddress client, string token)
    {
        try
        {
            await _registry.ReleasePortAsync(port, client.ToString(), token, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            // The heartbeat deletes this node's claims once they are older than any reservation can be.
            Log.ClusterStoreSkipped(_logger, $"release passive port {port}", ex.Message);
        }
    }

    /// <summary>The nodes sharing the range as last read, when that heartbeat began, and when this node joined.</summary>
    private sealed record Membership(IReadOnlyList<ClusterNode> Nodes, DateTimeOffset BeatAt, DateTimeOffset JoinedAt);

    /// <param name="Attempted">Whether the store was asked (and did not answer in time): it may hold the claim after all.</param>
    private sealed record UnrecordedClaim(int Port, IPAddress Client, bool Attempted);
}
