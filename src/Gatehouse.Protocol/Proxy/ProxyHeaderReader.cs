using System.Net.Sockets;

namespace Gatehouse.Protocol.Proxy;

/// <summary>
/// Reads a PROXY protocol header off a freshly accepted socket, consuming exactly the header's bytes: it peeks,
/// and takes only what the parser says belongs to the header, so whatever the client sent behind it (a TLS
/// ClientHello, upload data) stays in the socket for the session.
/// </summary>
public static class ProxyHeaderReader
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private const int BufferSize = 16 + ProxyHeaderParser.MaxVersion2AddressLength;

    /// <exception cref="ProxyHeaderException">No valid header arrived in time; the message says why.</exception>
    public static async Task<ProxyHeader> ReadAsync(Socket socket, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var buffer = new byte[BufferSize];
        var consumedSoFar = 0;
        try
        {
            while (true)
            {
                var peeked = await socket.ReceiveAsync(buffer.AsMemory(consumedSoFar), SocketFlags.Peek, deadline.Token).ConfigureAwait(false);
                if (peeked == 0)
                {
                    throw new ProxyHeaderException("the connection closed before a complete PROXY protocol header");
                }

                var status = ProxyHeaderParser.TryParse(buffer.AsSpan(0, consumedSoFar + peeked), out var header, out var length, out var error);
                switch (status)
                {
                    case ProxyParseStatus.Complete:
                        await ReceiveExactlyAsync(socket, buffer.AsMemory(consumedSoFar, length - consumedSoFar), deadline.Token).ConfigureAwait(false);
                        return header!;
                    case ProxyParseStatus.Invalid:
                        throw new ProxyHeaderException(error);
                    default:
                        // Incomplete: every byte seen so far is header, so it can be taken before waiting for more.
                        await ReceiveExactlyAsync(socket, buffer.AsMemory(consumedSoFar, peeked), deadline.Token).ConfigureAwait(false);
                        consumedSoFar += peeked;
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProxyHeaderException(consumedSoFar == 0
                ? $"no PROXY protocol header within {timeout.TotalSeconds:0} s"
                : $"an incomplete PROXY protocol header ({consumedSoFar} bytes) after {timeout.TotalSeconds:0} s");
        }
        catch (SocketException ex)
        {
            throw new ProxyHeaderException($"the connection failed while reading the PROXY protocol header: {ex.SocketErrorCode}");
        }
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> target, CancellationToken cancellationToken)
    {
        while (target.Length > 0)
        {
            var received = await socket.ReceiveAsync(target, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                throw new ProxyHeaderException("the connection closed inside the PROXY protocol header");
            }

            target = target[received..];
        }
    }
}
