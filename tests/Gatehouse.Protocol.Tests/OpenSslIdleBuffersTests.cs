using System.Net.Security;
using System.Security.Cryptography;
using Gatehouse.Protocol.Tls;

namespace Gatehouse.Protocol.Tests;

public sealed class OpenSslIdleBuffersTests
{
    private const nint ReleaseBuffers = 0x10;

    [Fact]
    public async Task The_mode_is_set_on_the_streams_own_connection_and_records_still_flow_both_ways()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (server, client) = await ConnectAsync(timeout.Token);
        await using (server)
        await using (client)
        {
            Assert.Equal(0, OpenSslIdleBuffers.Mode(server)!.Value & ReleaseBuffers);

            Assert.True(OpenSslIdleBuffers.Release(server));

            Assert.Equal(ReleaseBuffers, OpenSslIdleBuffers.Mode(server)!.Value & ReleaseBuffers);
            Assert.Equal(0, OpenSslIdleBuffers.Mode(client)!.Value & ReleaseBuffers);
            // The buffers are freed after each record and allocated again for the next: messages small and large,
            // in both directions, arrive whole.
            foreach (var size in new[] { 10, 20_000, 1, 70_000, 300 })
            {
                var message = RandomNumberGenerator.GetBytes(size);
                await client.WriteAsync(message, timeout.Token);
                Assert.Equal(message, await ReadExactlyAsync(server, size, timeout.Token));
                await server.WriteAsync(message, timeout.Token);
                Assert.Equal(message, await ReadExactlyAsync(client, size, timeout.Token));
            }
        }
    }

    [Fact]
    public async Task A_stream_without_a_connection_yet_is_left_alone()
    {
        await using var unauthenticated = new SslStream(new MemoryStream());

        Assert.False(OpenSslIdleBuffers.Release(unauthenticated));
        Assert.Null(OpenSslIdleBuffers.Mode(unauthenticated));
    }

    [Fact]
    public async Task A_disposed_stream_is_left_alone()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (server, client) = await ConnectAsync(timeout.Token);
        await client.DisposeAsync();
        await server.DisposeAsync();

        Assert.False(OpenSslIdleBuffers.Release(server));
        Assert.Null(OpenSslIdleBuffers.Mode(server));
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int size, CancellationToken cancellationToken)
    {
        var buffer = new byte[size];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    private static Task<(SslStream Server, SslStream Client)> ConnectAsync(CancellationToken cancellationToken) =>
        TlsLoopback.ConnectAsync(new SslServerAuthenticationOptions { ServerCertificateContext = TlsLoopback.CreateCertificate() }, cancellationToken);
}
