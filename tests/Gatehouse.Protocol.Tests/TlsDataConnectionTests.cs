using System.Net.Security;
using System.Security.Cryptography;
using Gatehouse.Protocol.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Tests;

public sealed class TlsDataConnectionTests
{
    private static readonly SslStreamCertificateContext Certificate = TlsLoopback.CreateCertificate();

    [Fact]
    public async Task After_a_control_handshake_data_connections_with_its_certificate_send_no_tickets()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var directory = Directory.CreateTempSubdirectory("gatehouse-tickets-");
        var (certificateFile, keyFile) = SelfSignedCertificate.Ensure(directory.FullName, TimeProvider.System);
        using var provider = new TlsCertificateProvider(certificateFile, keyFile, NullLogger.Instance, TimeProvider.System);
        directory.Delete(recursive: true);
        var control = provider.CreateControlOptions();
        var (controlServer, controlClient) = await TlsLoopback.ConnectAsync(control, timeout.Token);
        await using (controlServer)
        await using (controlClient)
        {
            Assert.True(OpenSslSessionTickets.AfterControlHandshake(controlServer));

            var (dataServer, dataClient) = await TlsLoopback.ConnectAsync(TlsCertificateProvider.CreateDataOptions(control.ServerCertificateContext!), timeout.Token);
            await using (dataServer)
            await using (dataClient)
            {
                Assert.Equal(0, OpenSslSessionTickets.TicketsAfterHandshake(dataServer));
                // The control connection still hands out a ticket, with its next record.
                await controlServer.WriteAsync("220 ok\r\n"u8.ToArray(), timeout.Token);
                var reply = new byte[8];
                await controlClient.ReadExactlyAsync(reply, timeout.Token);
                Assert.Equal("220 ok\r\n"u8.ToArray(), reply);
            }
        }
    }

    [Fact]
    public async Task An_upload_ended_with_close_notify_reads_to_its_end()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (upload, client) = await ConnectUploadAsync(refuseTruncated: true, timeout.Token);
        var data = RandomNumberGenerator.GetBytes(100_000);
        await client.WriteAsync(data, timeout.Token);
        await client.ShutdownAsync();
        await client.DisposeAsync();

        Assert.Equal(data, await ReadToEndAsync(upload, timeout.Token));
        Assert.False(upload.EndedWithoutCloseNotify);
        await upload.DisposeAsync();
    }

    [Fact]
    public async Task An_upload_of_many_records_of_every_size_arrives_byte_exact()
    {
        // Several read-ahead blocks of the connection, with records split across them at every offset.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (upload, client) = await ConnectUploadAsync(refuseTruncated: true, timeout.Token);
        var data = RandomNumberGenerator.GetBytes(3_000_000);
        var reading = ReadToEndAsync(upload, timeout.Token);
        for (int offset = 0, size = 1; offset < data.Length; offset += size, size = size * 7 % 40_009 + 1)
        {
            await client.WriteAsync(data.AsMemory(offset, Math.Min(size, data.Length - offset)), timeout.Token);
        }

        await client.ShutdownAsync();

        Assert.Equal(data, await reading);
        Assert.False(upload.EndedWithoutCloseNotify);
        await client.DisposeAsync(); // only now: these options send TLS 1.3 tickets, which the client never reads

        await upload.DisposeAsync();
    }

    [Fact]
    public async Task An_upload_whose_connection_ends_without_close_notify_is_refused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (upload, client) = await ConnectUploadAsync(refuseTruncated: true, timeout.Token);
        await client.WriteAsync(RandomNumberGenerator.GetBytes(100_000), timeout.Token);
        await client.DisposeAsync(); // SslStream sends close_notify only from ShutdownAsync

        await Assert.ThrowsAsync<UploadTruncatedException>(() => ReadToEndAsync(upload, timeout.Token));
        await upload.DisposeAsync();
    }

    [Fact]
    public async Task Without_refusal_an_upload_ended_without_close_notify_reads_to_its_end_and_says_so()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (upload, client) = await ConnectUploadAsync(refuseTruncated: false, timeout.Token);
        var data = RandomNumberGenerator.GetBytes(100_000);
        await client.WriteAsync(data, timeout.Token);
        await client.DisposeAsync(); // SslStream sends close_notify only from ShutdownAsync

        Assert.Equal(data, await ReadToEndAsync(upload, timeout.Token));
        Assert.True(upload.EndedWithoutCloseNotify);
        await upload.DisposeAsync();
    }

    private static SslServerAuthenticationOptions TlsDataOptions() => new() { ServerCertificateContext = Certificate };

    private static async Task<(TlsUploadStream Upload, SslStream Client)> ConnectUploadAsync(bool refuseTruncated, CancellationToken cancellationToken)
    {
        TlsUploadStream? upload = null;
        var (_, client) = await TlsLoopback.ConnectAsync(TlsDataOptions(), cancellationToken, connection =>
        {
            upload = new TlsUploadStream(connection, refuseTruncated);
            return upload.Tls;
        });
        return (upload!, client);
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }
}
