namespace Gatehouse.Hosting;

/// <summary>Where things live under DataDirectory.</summary>
public sealed class DataPaths(string dataDirectory)
{
    public string Root { get; } = Path.GetFullPath(dataDirectory);

    public string AccountDatabase => Path.Combine(Root, "accounts.db");

    public string TransferLog => Path.Combine(Root, "xferlog");

    public string DefaultHome(string user) => Path.Combine(Root, "home", user);
}
