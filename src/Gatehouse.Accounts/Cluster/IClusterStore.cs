namespace Gatehouse.Accounts.Cluster;

/// <summary>Who holds a passive port for a client, and where that node takes relayed data connections.</summary>
public sealed record PassiveClaim(string Token, string NodeId, string NodeName, string? RelayEndPoint);

/// <summary>
/// What the nodes of a cluster tell each other through the shared store: which nodes are alive (a heartbeat every
/// <see cref="HeartbeatInterval"/>), which user sessions each holds, and which passive port each has promised to which
/// client. A node without a heartbeat for <see cref="NodeLifetime"/> counts as gone: its sessions and claims stop
/// counting and the next heartbeat of any node deletes them. Times compare the nodes' clocks, so the nodes must keep
/// them in step (NTP), to well within the lifetime. An outage of the store silences every node at once and kills none:
/// a node that was alive when the store became unreachable stays alive until a lifetime after it returned.
/// </summary>
public interface IClusterStore
{
    static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    static readonly TimeSpan NodeLifetime = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a node may promise passive ports from its share of the range (docs/cluster.md) while it cannot reach the
    /// store; the others leave a silent node's share alone for this long after its lifetime, so that a node cut off
    /// from the store alone never promises a port that another gives out through the store.
    /// </summary>
    static readonly TimeSpan OfflineClaimLimit = TimeSpan.FromMinutes(10);

    /// <summary>This process's identity in the store; a restarted node is a new one.</summary>
    string NodeId { get; }

    /// <summary>This node's random key, stored with its membership: a relayed data connection signed with it comes from a reader of the store.</summary>
    string RelayKey { get; }

    Task JoinAsync(string name, string? relayEndPoint, CancellationToken cancellationToken);

    /// <summary>
    /// Proves this node alive and deletes what gone nodes left behind. A node the others gave up for gone (the store was
    /// out of its reach for longer than the lifetime) comes back, but the sessions they deleted no longer count.
    /// </summary>
    /// <param name="claimLifetime">Claims of this node older than this are leftovers of a release that failed.</param>
    Task HeartbeatAsync(TimeSpan claimLifetime, CancellationToken cancellationToken);

    /// <summary>
    /// The nodes that hold a share of the passive range: those alive, and those silent for less than
    /// <see cref="OfflineClaimLimit"/> beyond their lifetime (they may be promising ports while cut off from the store).
    /// </summary>
    Task<IReadOnlyList<ClusterNode>> ReadNodesAsync(CancellationToken cancellationToken);

    /// <summary>A clean stop: this node's sessions and claims stop counting at once, not after the lifetime.</summary>
    Task LeaveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records a session of <paramref name="user"/> unless that would pass <paramref name="limit"/> across all live nodes.
    /// Of two logins racing on different nodes at least one sees the other: the limit is never passed, and at worst
    /// both are refused.
    /// </summary>
    /// <returns>Whether the session was admitted, and how many other sessions the user holds.</returns>
    Task<(bool Admitted, int Others)> EnterSessionAsync(string sessionId, string user, string client, long? limit, CancellationToken cancellationToken);

    /// <summary>Writes back a session admitted earlier, if the store lost it (the others took this node for gone); never refuses.</summary>
    Task RestoreSessionAsync(string sessionId, string user, string client, CancellationToken cancellationToken);

    Task LeaveSessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Sessions of <paramref name="user"/> on live nodes.</summary>
    Task<int> CountSessionsAsync(string user, CancellationToken cancellationToken);

    /// <summary>Promises <paramref name="port"/> to <paramref name="client"/> on this node; false when another node (or this one) already has.</summary>
    Task<bool> ClaimPortAsync(int port, string client, string token, CancellationToken cancellationToken);

    Task ReleasePortAsync(int port, string client, string token, CancellationToken cancellationToken);

    /// <summary>The live node that promised <paramref name="port"/> to <paramref name="client"/>, if any.</summary>
    Task<PassiveClaim?> FindClaimAsync(int port, string client, CancellationToken cancellationToken);
}
