namespace Gatehouse.Accounts.Cluster;

/// <summary>Who holds a passive port for a client, and where that node takes relayed data connections.</summary>
public sealed record PassiveClaim(string Token, string NodeId, string NodeName, string? RelayEndPoint);

/// <summary>
/// What the nodes of a cluster tell each other through the shared store: which nodes are alive (a heartbeat every
/// <see cref="HeartbeatInterval"/>), which user sessions each holds, and which passive port each has promised to which
/// client. A node without a heartbeat for <see cref="NodeLifetime"/> counts as gone: its sessions and claims stop
/// counting and the next heartbeat of any node deletes them. Times compare the nodes' clocks, so the nodes must keep
/// them in step (NTP), to well within the lifetime.
/// </summary>
public interface IClusterStore
{
    static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    static readonly TimeSpan NodeLifetime = TimeSpan.FromSeconds(30);

    /// <summary>This process's identity in the store; a restarted node is a new one.</summary>
    string NodeId { get; }

    Task JoinAsync(string name, string? relayEndPoint, CancellationToken cancellationToken);

    /// <summary>
    /// Proves this node alive and deletes what gone nodes left behind. A node the others gave up for gone (the store was
    /// out of its reach for longer than the lifetime) comes back, but the sessions they deleted no longer count.
    /// </summary>
    /// <param name="claimLifetime">Claims of this node older than this are leftovers of a release that failed.</param>
    Task HeartbeatAsync(TimeSpan claimLifetime, CancellationToken cancellationToken);

    /// <summary>A clean stop: this node's sessions and claims stop counting at once, not after the lifetime.</summary>
    Task LeaveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records a session of <paramref name="user"/> unless that would pass <paramref name="limit"/> across all live nodes.
    /// Of two logins racing on different nodes at least one sees the other: the limit is never passed, and at worst
    /// both are refused.
    /// </summary>
    /// <returns>Whether the session was admitted, and how many other sessions the user holds.</returns>
    Task<(bool Admitted, int Others)> EnterSessionAsync(string sessionId, string user, string client, long? limit, CancellationToken cancellationToken);

    Task LeaveSessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Sessions of <paramref name="user"/> on live nodes.</summary>
    Task<int> CountSessionsAsync(string user, CancellationToken cancellationToken);

    /// <summary>Promises <paramref name="port"/> to <paramref name="client"/> on this node; false when another node (or this one) already has.</summary>
    Task<bool> ClaimPortAsync(int port, string client, string token, CancellationToken cancellationToken);

    Task ReleasePortAsync(int port, string client, string token, CancellationToken cancellationToken);

    /// <summary>The live node that promised <paramref name="port"/> to <paramref name="client"/>, if any.</summary>
    Task<PassiveClaim?> FindClaimAsync(int port, string client, CancellationToken cancellationToken);
}
