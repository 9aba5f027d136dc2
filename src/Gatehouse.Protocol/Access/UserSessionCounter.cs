namespace Gatehouse.Protocol.Access;

/// <summary>Logged-in sessions per user, for the max-sessions setting.</summary>
public sealed class UserSessionCounter
{
    private readonly Dictionary<string, int> _sessions = new(StringComparer.Ordinal);

    public bool TryEnter(string user, long? limit, out int current)
    {
        lock (_sessions)
        {
            _sessions.TryGetValue(user, out current);
            if (limit is { } max && current >= max)
            {
                return false;
            }

            _sessions[user] = current + 1;
            return true;
        }
    }

    public void Leave(string user)
    {
        lock (_sessions)
        {
            if (_sessions.TryGetValue(user, out var current))
            {
                if (current <= 1)
                {
                    _sessions.Remove(user);
                }
                else
                {
                    _sessions[user] = current - 1;
                }
            }
        }
    }
}
