using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>
/// Under PROT P, clients that start TLS on a passive data connection before sending the transfer command (Go's
/// jlaffaye/ftp does) and clients that send the command first (FileZilla, curl, lftp, ftplib) both transfer.
/// </summary>
public sealed class TlsBeforeCommandTests
{
    /// <summary>Long enough for any handshake on loopback; a server that waits for the command never answers.</summary>
    private static readonly TimeSpan HandshakeLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_client_that_starts_tls_before_the_command_uploads_lists_and_downloads()
    {
        await using var session = await LoggedInAsync();
        var content = RandomNumberGenerator.GetBytes(300_000);

        await using (var upload = await SecuredPassiveAsync(session))
        {
            Assert.StartsWith("150 ", await session.SendAsync("STOR early.bin"));
            await upload.WriteAsync(content);
            await upload.ShutdownAsync();
        }

        Assert.StartsWith("226 ", await session.ReplyAsync());
        Assert.Equal(content, session.Files.ReadFile("/early.bin"));

        await using (var listing = await SecuredPassiveAsync(session))
        {
            Assert.StartsWith("150 ", await session.SendAsync("NLST"));
            Assert.Contains("early.bin", Encoding.UTF8.GetString(await ReadToEndAsync(listing)), StringComparison.Ordinal);
        }

        Assert.StartsWith("226 ", await session.ReplyAsync());

        await using (var download = await SecuredPassiveAsync(session))
        {
            Assert.StartsWith("150 ", await session.SendAsync("RETR early.bin"));
            Assert.Equal(content, await ReadToEndAsync(download));
        }

        Assert.StartsWith("226 ", await session.ReplyAsync());
    }

    [Fact]
    public async Task A_client_that_sends_the_command_first_gets_tls_after_the_150_as_before()
    {
        await using var session = await LoggedInAsync();
        var content = RandomNumberGenerator.GetBytes(300_000);

        var (opening, socket) = await session.OpenDataAsync("STOR late.bin");
        Assert.StartsWith("150 ", opening);
        await using (var upload = await SecureAsync(socket!))
        {
            await upload.WriteAsync(content);
            await upload.ShutdownAsync();
        }

        Assert.StartsWith("226 ", await session.ReplyAsync());
        (opening, socket) = await session.OpenDataAsync("RETR late.bin");
        Assert.StartsWith("150 ", opening);
        await using (var download = await SecureAsync(socket!))
        {
            Assert.Equal(content, await ReadToEndAsync(download));
        }

        Assert.StartsWith("226 ", await session.ReplyAsync());
    }

    [Fact]
    public async Task An_upload_secured_before_its_command_that_ends_without_close_notify_is_refused()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/kept.bin", [1, 2, 3]);

        await using (var upload = await SecuredPassiveAsync(session))
        {
            Assert.StartsWith("150 ", await session.SendAsync("STOR kept.bin"));
            await upload.WriteAsync(RandomNumberGenerator.GetBytes(100_000));
        } // disposed without ShutdownAsync: no close_notify

        Assert.StartsWith("426 The data connection ended without TLS close_notify", await session.ReplyAsync());
        Assert.Equal([1, 2, 3], session.Files.ReadFile("/kept.bin"));
    }

    [Fact]
    public async Task A_handshake_that_fails_before_the_command_is_answered_at_the_command_and_logged()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/x.bin", [1]);

        await using (var data = new NetworkStream(await session.ConnectPassiveAsync(), ownsSocket: true))
        {
            await data.WriteAsync("this is not TLS\r\n"u8.ToArray());
            // The server tries the handshake at once, fails, and closes the connection before the command is sent.
            await ReadUntilClosedAsync(data);
        }

        Assert.StartsWith("425 TLS negotiation on the data connection failed", await session.SendAsync("RETR x.bin"));
        Assert.Contains(session.Logs.Entries, entry => entry.EventId == 30 && entry.Message.Contains("on the data connection", StringComparison.Ordinal));
        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
    }

    [Fact]
    public async Task Tls_started_before_the_command_serves_no_command_after_prot_c()
    {
        await using var session = await LoggedInAsync();

        await using (await SecuredPassiveAsync(session))
        {
            Assert.StartsWith("200 ", await session.SendAsync("PROT C"));
            Assert.StartsWith("425 Your client started TLS on this data connection, but PROT C is now in force", await session.SendAsync("NLST"));
        }

        Assert.StartsWith("200 ", await session.SendAsync("NOOP"));
    }

    [Fact]
    public async Task A_connection_secured_before_its_command_is_closed_when_the_session_gives_its_port_up()
    {
        await using var session = await LoggedInAsync();

        await using (var replaced = await SecuredPassiveAsync(session))
        {
            Assert.StartsWith("229 ", await session.SendAsync("EPSV"));
            await ReadUntilClosedAsync(replaced);
        }

        await using (var aborted = await SecuredPassiveAsync(session))
        {
            Assert.StartsWith("225 ", await session.SendAsync("ABOR"));
            await ReadUntilClosedAsync(aborted);
        }
    }

    [Fact]
    public async Task A_client_from_another_address_gets_no_handshake_and_the_port_stays_the_sessions()
    {
        await using var session = await LoggedInAsync();
        var stranger = await session.ConnectPassiveAsync(IPAddress.Parse("127.0.0.2"));
        var port = ((IPEndPoint)stranger.RemoteEndPoint!).Port;
        // Refused by the same-IP rule (Ftp:RequireSameClientIpForData) and closed unanswered, not left waiting.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => SecureAsync(stranger));
        Assert.True(refused is IOException or AuthenticationException, refused.ToString());

        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await using (var listing = await SecureAsync(client))
        {
            Assert.StartsWith("150 ", await session.SendAsync("NLST"));
            await ReadToEndAsync(listing);
        }

        Assert.StartsWith("226 ", await session.ReplyAsync());
    }

    private static async Task<SessionHarness> LoggedInAsync()
    {
        var session = await SessionHarness.StartTlsAsync();
        await session.LoginAsync();
        Assert.StartsWith("200 ", await session.SendAsync("PBSZ 0"));
        Assert.StartsWith("200 ", await session.SendAsync("PROT P"));
        Assert.StartsWith("200 ", await session.SendAsync("TYPE I"));
        return session;
    }

    /// <summary>EPSV, connects, and completes TLS on the data connection before any transfer command, as jlaffaye/ftp does.</summary>
    private static async Task<SslStream> SecuredPassiveAsync(SessionHarness session) => await SecureAsync(await session.ConnectPassiveAsync());

    private static async Task<SslStream> SecureAsync(Socket socket)
    {
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var limit = new CancellationTokenSource(HandshakeLimit);
        try
        {
            await tls.AuthenticateAsClientAsync(TlsControl.ClientOptions(), limit.Token);
            return tls;
        }
        catch (OperationCanceledException)
        {
            await tls.DisposeAsync();
            throw new TimeoutException($"The server did not answer the data connection's TLS handshake within {HandshakeLimit.TotalSeconds} s.");
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var limit = new CancellationTokenSource(HandshakeLimit);
        using var all = new MemoryStream();
        await stream.CopyToAsync(all, limit.Token);
        return all.ToArray();
    }

    /// <summary>Reads until the server closes the connection (an end, a reset, or a TLS stream that fails); bounded in time.</summary>
    private static async Task ReadUntilClosedAsync(Stream connection)
    {
        using var limit = new CancellationTokenSource(HandshakeLimit);
        var buffer = new byte[4096];
        try
        {
            while (await connection.ReadAsync(buffer, limit.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            // Reset by the server: closed all the same.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server did not close the data connection within {HandshakeLimit.TotalSeconds} s.");
        }
    }
}
