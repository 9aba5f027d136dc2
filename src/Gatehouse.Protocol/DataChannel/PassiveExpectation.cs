using System.Net;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>Which data connection a passive port waits for, and for how long.</summary>
/// <param name="Client">The control connection's client (after any PROXY header).</param>
/// <param name="RequireSameClient">Ftp:RequireSameClientIpForData; without it any address may connect, so the port is not shared.</param>
public sealed record PassiveExpectation(IPAddress Client, bool RequireSameClient, TimeSpan Timeout)
{
    /// <summary>The only client address the reservation takes a connection from; null for any.</summary>
    internal IPAddress? Owner => RequireSameClient ? Addresses.Normalize(Client) : null;
}
