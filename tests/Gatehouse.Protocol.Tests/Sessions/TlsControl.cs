using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>
/// A control connection under implicit TLS for <see cref="SessionHarness"/>: the session gets the server's end of a
/// loopback TCP connection, and the harness's plain-text connection is relayed through a TLS client at the other end,
/// so commands and replies are sent and read as on any harness.
/// </summary>
internal sealed class TlsControl : IAsyncDisposable
{
    private readonly SslStream _client;
    private Task _relay = Task.CompletedTask;

    private TlsControl(Socket server, Socket client)
    {
        Transport = new NetworkStream(server, ownsSocket: true);
        _client = new SslStream(new NetworkStream(client, ownsSocket: true), leaveInnerStreamOpen: false);
    }

    /// <summary>The session's end of the connection; the session owns it.</summary>
    public Stream Transport { get; }

    public static async Task<TlsControl> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return new TlsControl(await listener.AcceptAsync(), client);
    }

    /// <summary>A TLS client for the harness's self-signed certificate.</summary>
    public static SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = "localhost",
        RemoteCertificateValidationCallback = static (_, _, _, _) => true,
    };

    /// <summary>Completes the handshake the session starts, then relays <paramref name="plain"/> (the harness's end) through it.</summary>
    public async Task StartAsync(Stream plain, CancellationToken cancellationToken)
    {
        await _client.AuthenticateAsClientAsync(ClientOptions(), cancellationToken);
        _relay = Task.WhenAll(Relay(plain, _client), Relay(_client, plain));
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _relay.WaitAsync(TimeSpan.FromSeconds(15));
    }

    private static async Task Relay(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // One end closed: the session or the harness is ending.
        }
    }
}
