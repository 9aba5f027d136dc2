using System.Net;

namespace Gatehouse.Protocol.Access;

/// <summary>Logged-in sessions per user, for the max-sessions setting: counted on this node alone, or across a cluster.</summary>
public interface IUserSessions
{
    /// <returns>A ticket when the session is admitted (given back when it logs out or ends), and the user's other sessions.</returns>
    ValueTask<UserSessionAdmission> TryEnterAsync(string sessionId, string user, IPAddress client, long? limit, CancellationToken cancellationToken);
}

/// <param name="Ticket">Null when the limit refused the session.</param>
/// <param name="Others">Sessions the user already held.</param>
public readonly record struct UserSessionAdmission(IUserSessionTicket? Ticket, int Others);

/// <summary>One session's place in the count.</summary>
public interface IUserSessionTicket
{
    /// <summary>Gives the place back; only the first call counts.</summary>
    ValueTask LeaveAsync();
}
