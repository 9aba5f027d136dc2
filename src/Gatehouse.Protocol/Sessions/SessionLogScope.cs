using System.Collections;
using System.Net;

namespace Gatehouse.Protocol.Sessions;

/// <summary>Logging scope put on every line of a session: its id, the client's address and, once known, the user.</summary>
public sealed class SessionLogScope(string sessionId, IPEndPoint client) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string? User { get; set; }

    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("SessionId", sessionId),
        1 => new("Client", client.ToString()),
        2 => new("User", User),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"session={sessionId} client={client} user={User ?? "-"}";
}
