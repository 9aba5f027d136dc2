namespace Gatehouse.Protocol.Logging;

/// <summary>
/// Metrics:PerUser and Metrics:PerUserLimit: whether series carry a user attribute, and for how many users. The first
/// <c>limit</c> users seen since start keep their own series; any other user is counted as <see cref="Other"/>, so a
/// server with many users (or a client inventing names) cannot grow the series without bound.
/// </summary>
public sealed class UserSeries(bool enabled, int limit)
{
    public const string Other = "other";

    private readonly HashSet<string> _named = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool Enabled => enabled;

    /// <summary>The user attribute for <paramref name="user"/>; null when per-user series are off or there is no user.</summary>
    public KeyValuePair<string, object?>? Attribute(string? user) =>
        enabled && user is not null ? new KeyValuePair<string, object?>("user", Name(user)) : null;

    /// <summary>The user's own name while the cap allows, else <see cref="Other"/>.</summary>
    public string Name(string user)
    {
        lock (_lock)
        {
            return _named.Contains(user) || (_named.Count < limit && _named.Add(user)) ? user : Other;
        }
    }
}
