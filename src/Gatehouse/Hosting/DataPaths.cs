namespace Gatehouse.Hosting;

/// <summary>Where things live under DataDirectory.</summary>
public sealed class DataPaths(string dataDirectory)
{
    public string Root { get; } = Path.GetFullPath(dataDirectory);

    public string AccountDatabase => Path.Combine(Root, "accounts.db");

    public string TransferLog => Path.Combine(Root, "xferlog");

    /// <summary>The running server's process id, for <c>gatehouse drain</c>.</summary>
    public string PidFile => Path.Combine(Root, "gatehouse.pid");

    /// <summary>This node's notes of areas whose usage changes are not all saved yet (<see cref="Storage.Quotas.UsageMarkers"/>).</summary>
    public string UsageMarkers => Path.Combine(Root, "usage-pending");

    /// <summary>Events this node queued and has not yet moved into the SQLite store (<see cref="Protocol.Events.EventJournal"/>).</summary>
    public string EventJournal => Path.Combine(Root, "events.journal");

    public string DefaultHome(string user) => Path.Combine(Root, "home", user);
}
