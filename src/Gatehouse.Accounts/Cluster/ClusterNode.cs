namespace Gatehouse.Accounts.Cluster;

/// <summary>
/// A member of the cluster as the store listed it: where it takes relayed data connections, and the key that proves a
/// relay comes from a member when the store cannot be asked (<see cref="IClusterStore.RelayKey"/>; only readers of the
/// store know it).
/// </summary>
public sealed record ClusterNode(string Id, string Name, string? RelayEndPoint, string? RelayKey);
