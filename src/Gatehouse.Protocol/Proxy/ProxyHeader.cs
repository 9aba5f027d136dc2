using System.Net;

namespace Gatehouse.Protocol.Proxy;

/// <summary>
/// What a load balancer's PROXY protocol header says about a connection. <see cref="Source"/> is null for a
/// connection the balancer made on its own behalf (v2 LOCAL, v1 UNKNOWN, such as a health check): the connection's
/// own addresses then stand.
/// </summary>
public sealed record ProxyHeader(int Version, IPEndPoint? Source, IPEndPoint? Destination);
