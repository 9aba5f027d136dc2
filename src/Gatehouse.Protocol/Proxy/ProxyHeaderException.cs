namespace Gatehouse.Protocol.Proxy;

/// <summary>A connection from a trusted proxy did not start with a valid PROXY protocol header.</summary>
public sealed class ProxyHeaderException(string message) : Exception(message);
