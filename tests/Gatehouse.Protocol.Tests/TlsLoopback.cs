using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Protocol.Tests;

/// <summary>A TCP connection on loopback with TLS on both ends: the server end is built by the test.</summary>
internal static class TlsLoopback
{
    public static SslStreamCertificateContext CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = new CertificateRequest("CN=loopback.example", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        return SslStreamCertificateContext.Create(certificate, null);
    }

    /// <param name="server">Wraps the server's end of the connection; it is authenticated with <paramref name="options"/>.</param>
    public static async Task<(SslStream Server, SslStream Client)> ConnectAsync(
        SslServerAuthenticationOptions options, CancellationToken cancellationToken, Func<Stream, SslStream>? server = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var clientSocket = new TcpClient();
        var accepting = listener.AcceptTcpClientAsync(cancellationToken).AsTask();
        await clientSocket.ConnectAsync((IPEndPoint)listener.LocalEndpoint, cancellationToken);
        var serverStream = (await accepting).GetStream();
        var serverTls = server is null ? new SslStream(serverStream) : server(serverStream);
        var client = new SslStream(clientSocket.GetStream(), false, (_, _, _, _) => true);
        await Task.WhenAll(
            serverTls.AuthenticateAsServerAsync(options, cancellationToken),
            client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "loopback.example" }, cancellationToken));
        return (serverTls, client);
    }
}
