using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gatehouse.Doctor.Tests;

/// <summary>
/// An FTP server on loopback that acts as if the path lost every large packet: it sends the greeting and accepts AUTH
/// TLS, but takes part in the TLS handshake only on a connection whose client announced small TCP segments (its
/// TCP_MAXSEG, otherwise about 64 KiB on loopback), and stays silent on any other. After a handshake it refuses the
/// login, which ends the doctor's run.
/// </summary>
internal sealed class BlackHoleServer : IAsyncDisposable
{
    private const int LargestSmallSegment = 1400;
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _handshakesWithSmallSegments;
    private readonly Task _accepting;

    /// <param name="handshakesWithSmallSegments">False: the handshake stalls whatever the client does (a server that hangs).</param>
    public BlackHoleServer(bool handshakesWithSmallSegments)
    {
        _handshakesWithSmallSegments = handshakesWithSmallSegments;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=black-hole", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);
        _accepting = AcceptAsync();
    }

    public X509Certificate2 Certificate { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Certificate.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                sessions.Add(ServeAsync(await _listener.AcceptAsync(_stop.Token)));
            }
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            await Task.WhenAll(sessions);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var segment = new byte[4];
        socket.GetRawSocketOption(6, 2, segment);
        await using var network = new NetworkStream(socket, ownsSocket: true);
        try
        {
            await WriteAsync(network, "220 ready");
            if (await ReadLineAsync(network) != "AUTH TLS")
            {
                return;
            }

            await WriteAsync(network, "234 go ahead");
            if (!_handshakesWithSmallSegments || BitConverter.ToInt32(segment) > LargestSmallSegment)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            await using var tls = new SslStream(network);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Certificate }, _stop.Token);
            while (await ReadLineAsync(tls) is { } line)
            {
                await WriteAsync(tls, line.StartsWith("USER ", StringComparison.Ordinal) ? "331 password" : "530 Login incorrect.");
            }
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or System.Security.Authentication.AuthenticationException)
        {
            // The test is over, or the doctor gave up on this connection.
        }
    }

    private static async Task WriteAsync(Stream stream, string reply) => await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"));

    /// <summary>One command, read byte by byte so that nothing after it (a TLS ClientHello) is taken from the stream.</summary>
    private async Task<string?> ReadLineAsync(Stream stream)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one, _stop.Token) == 1)
        {
            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }

        return null;
    }
}
