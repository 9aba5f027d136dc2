using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Gatehouse.Doctor.Client;

/// <summary>Bounded TCP connects, and the one-phrase explanation of why a connection step failed.</summary>
internal static class DataSockets
{
    /// <param name="maxSegmentSize">TCP_MAXSEG (<see cref="SegmentSize"/>); 0: the system's choice.</param>
    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken, int maxSegmentSize = 0)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            SegmentSize.Limit(socket, maxSegmentSize);
            await socket.ConnectAsync(endpoint, limit.Token).ConfigureAwait(false);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsTimeout(Exception error) => error is TimeoutException or SocketException { SocketErrorCode: SocketError.TimedOut };

    public static string Explain(Exception error) => error switch
    {
        TimeoutException => error.Message,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.ConnectionReset } => "connection reset",
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable } => "no route to the address",
        SocketException socket => socket.Message,
        AuthenticationException tls => tls.InnerException is { } inner ? $"{PointsInside(tls.Message)} ({Innermost(inner).Message})" : tls.Message,
        PlainTextInTlsException => error.Message,
        IOException { InnerException: SocketException socket } => Explain(socket),
        // .NET's "The read operation failed, see inner exception": the inner cause is what happened.
        IOException { InnerException: { } inner } => Explain(Innermost(inner)),
        _ => error.Message,
    };

    /// <summary>.NET's "Authentication failed, see inner exception." without the pointer: the inner cause follows it.</summary>
    private static string PointsInside(string message) =>
        message.Contains("inner exception", StringComparison.OrdinalIgnoreCase) ? "the TLS handshake failed" : message;

    private static Exception Innermost(Exception error) => error.InnerException is { } inner ? Innermost(inner) : error;
}
