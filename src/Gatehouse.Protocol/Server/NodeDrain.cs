namespace Gatehouse.Protocol.Server;

/// <summary>
/// Whether this node still takes new sessions. Draining (<c>gatehouse drain</c>, SIGUSR1) is one-way: new
/// connections get 421 and the health check fails, so the balancer sends clients elsewhere, while the sessions
/// already running go on; the server stops when the last one ends.
/// </summary>
public sealed class NodeDrain
{
    private readonly TaskCompletionSource _begun = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Draining => _begun.Task.IsCompleted;

    public Task Begun => _begun.Task;

    /// <returns>False when the node was already draining.</returns>
    public bool Begin() => _begun.TrySetResult();
}
