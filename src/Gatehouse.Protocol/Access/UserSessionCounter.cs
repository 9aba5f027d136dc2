using System.Net;

namespace Gatehouse.Protocol.Access;

/// <summary>Logged-in sessions per user on this node alone (a single server, or SQLite as the store).</summary>
public sealed class UserSessionCounter : IUserSessions
{
    private readonly Dictionary<string, int> _sessions = new(StringComparer.Ordinal);

    public ValueTask<UserSessionAdmission> TryEnterAsync(string sessionId, string user, IPAddress client, long? limit, CancellationToken cancellationToken)
    {
        lock (_sessions)
        {
            _sessions.TryGetValue(user, out var current);
            if (limit is { } max && current >= max)
            {
                return ValueTask.FromResult(new UserSessionAdmission(null, current));
            }

            _sessions[user] = current + 1;
            return ValueTask.FromResult(new UserSessionAdmission(new Ticket(this, user), current));
        }
    }

    private void Leave(string user)
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

    private sealed class Ticket(UserSessionCounter counter, string user) : IUserSessionTicket
    {
        private int _left;

        public ValueTask LeaveAsync()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                counter.Leave(user);
            }

            return ValueTask.CompletedTask;
        }
    }
}
