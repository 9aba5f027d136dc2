using System.Net;
using Gatehouse.Accounts.Networks;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>Which data connection a passive port waits for, and for how long.</summary>
/// <param name="Client">The control connection's client (after any PROXY header).</param>
/// <param name="RequireSameClient">Ftp:RequireSameClientIpForData.</param>
/// <param name="TrustedProxies">Ftp:TrustedProxies: their data connections start with a PROXY header naming the client.</param>
public sealed record PassiveExpectation(IPAddress Client, bool RequireSameClient, TimeSpan Timeout, NetworkList TrustedProxies);
